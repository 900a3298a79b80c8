-- The hand-written baseline of `make bench` (measurement 3): every counter the progress engine
-- turns into figures, for every objective and compact and each slice, in ONE statement run
-- through psql. Same tables and the same definitions as the engine (docs/progress.md):
-- counts per implementation status, overdue, USD pledged at the announcement-date rate, latest
-- disbursed amount, targets with their latest achieved value (approved updates count only while
-- their reporting entity is verified), distinct entities (the submitter and the public
-- co-pledgers) and beneficiary countries; slices overall / forum / entity type (GROUPING SETS),
-- regions, and beneficiary countries for compact totals.
-- tests/progress/test_bench_baseline.py checks that it gives the engine's counters.
-- `current_date` is the day of the figures (the bench runs both on the same day).
SET jit = off;
SET work_mem = '256MB';
WITH rates AS (
    SELECT currency_id, date AS valid_from, usd_per_unit,
           lead(date) OVER (PARTITION BY currency_id ORDER BY date) AS valid_to
    FROM core_exchangerate
), approved AS MATERIALIZED (
    -- Approved updates whose reporting entity is verified.
    SELECT u.id, u.pledge_id, u.reported_on, u.disbursed_amount
    FROM pledges_pledgeupdate u JOIN pledges_entity ue ON ue.id = u.entity_id AND ue.is_verified
    WHERE u.review_state = 'approved'
), disbursed AS (
    SELECT DISTINCT ON (pledge_id) pledge_id, disbursed_amount
    FROM approved WHERE disbursed_amount IS NOT NULL
    ORDER BY pledge_id, reported_on DESC, id DESC
), facts AS MATERIALIZED (
    SELECT p.id, p.compact_id, p.entity_id, p.geography_scope, p.amount, p.implementation_status,
           COALESCE(fo.code, 'none') AS forum, et.code AS entity_type,
           CASE WHEN p.currency_id = 'USD' THEN 1 ELSE r.usd_per_unit END AS rate,
           d.disbursed_amount AS disbursed,
           COALESCE(p.last_update_on, (p.published_at AT TIME ZONE 'UTC')::date) AS last
    FROM pledges_pledge p
    LEFT JOIN forums_forum fo ON fo.id = p.forum_id
    JOIN pledges_entity e ON e.id = p.entity_id
    JOIN pledges_entitytype et ON et.id = e.entity_type_id
    LEFT JOIN rates r ON r.currency_id = p.currency_id AND p.announced_on >= r.valid_from
         AND (r.valid_to IS NULL OR p.announced_on < r.valid_to)
    LEFT JOIN disbursed d ON d.pledge_id = p.id
    WHERE p.review_state = 'published'
), owned AS MATERIALIZED (
    SELECT 'objective' AS owner_kind, o.objective_id AS owner, f.* FROM facts f
    JOIN pledges_pledge_objectives o ON o.pledge_id = f.id
    UNION ALL
    SELECT 'compact', f.compact_id, f.* FROM facts f
), countries AS MATERIALIZED (
    SELECT bc.pledge_id, bc.country_id, c.region
    FROM pledges_pledge_beneficiary_countries bc JOIN core_country c ON c.code = bc.country_id
), regions AS MATERIALIZED (
    SELECT DISTINCT pledge_id, region FROM countries
    WHERE region IN ('002', '019', '142', '150', '009')
), latest_actual AS (
    SELECT DISTINCT ON (a.target_id) a.target_id, a.value
    FROM pledges_pledgeupdateactual a JOIN approved u ON u.id = a.update_id
    ORDER BY a.target_id, u.reported_on DESC, u.id DESC
), targets AS MATERIALIZED (
    SELECT t.id, t.pledge_id, t.unit, t.target_value, la.value AS latest
    FROM pledges_pledgetarget t JOIN facts f ON f.id = t.pledge_id
    LEFT JOIN latest_actual la ON la.target_id = t.id
), sliced AS (
    -- Region and country slices: one row per (owner, pledge, region or country).
    SELECT f.*, 'region' AS slice_kind, r.region AS slice_key FROM owned f
    JOIN regions r ON r.pledge_id = f.id
    WHERE f.geography_scope IN ('regional', 'national', 'local')
    UNION ALL
    SELECT f.*, 'region', 'global' FROM owned f WHERE f.geography_scope = 'global'
    UNION ALL
    SELECT f.*, 'country', bc.country_id FROM owned f
    JOIN countries bc ON bc.pledge_id = f.id
    WHERE f.owner_kind = 'compact'
), members AS (
    -- Who stands behind each pledge: its submitter and its public co-pledgers.
    SELECT f.id AS pledge_id, f.entity_id FROM facts f
    UNION ALL
    SELECT pp.pledge_id, pp.entity_id FROM pledges_pledgeparticipant pp
    JOIN pledges_entity pe ON pe.id = pp.entity_id AND pe.is_verified
    WHERE pp.status = 'accepted'
), distinct_groups AS (
    -- Distinct entities and countries of each objective overall and each compact's forums.
    SELECT owner_kind, owner, slice_key, 'entities' AS figure, count(*) AS n
    FROM (SELECT DISTINCT s.owner_kind, s.owner,
                 CASE WHEN s.owner_kind = 'compact' THEN s.forum ELSE '' END AS slice_key,
                 m.entity_id
          FROM owned s JOIN members m ON m.pledge_id = s.id) d
    GROUP BY owner_kind, owner, slice_key
    UNION ALL
    SELECT owner_kind, owner, slice_key, 'countries', count(*)
    FROM (SELECT DISTINCT s.owner_kind, s.owner,
                 CASE WHEN s.owner_kind = 'compact' THEN s.forum ELSE '' END AS slice_key,
                 c.country_id
          FROM owned s JOIN countries c ON c.pledge_id = s.id) d
    GROUP BY owner_kind, owner, slice_key
)
SELECT s.owner_kind, s.owner,
       CASE WHEN grouping(s.forum) = 0 THEN 'forum'
            WHEN grouping(s.entity_type) = 0 THEN 'entity_type' ELSE 'overall' END AS slice_kind,
       COALESCE(s.forum, s.entity_type, '') AS slice_key, '' AS unit,
       count(*) AS pledges,
       count(*) FILTER (WHERE s.implementation_status = 'not_started') AS status_not_started,
       count(*) FILTER (WHERE s.implementation_status = 'planning') AS status_planning,
       count(*) FILTER (WHERE s.implementation_status = 'in_progress') AS status_in_progress,
       count(*) FILTER (WHERE s.implementation_status = 'fulfilled') AS status_fulfilled,
       count(*) FILTER (WHERE s.implementation_status = 'discontinued') AS status_discontinued,
       count(*) FILTER (WHERE s.implementation_status = '') AS status_none,
       sum(CASE WHEN s.implementation_status IN ('fulfilled', 'discontinued') THEN 0
                WHEN s.last < current_date - interval '12 months' THEN 1 ELSE 0 END) AS overdue,
       count(*) FILTER (WHERE s.amount IS NOT NULL) AS with_amount,
       count(*) FILTER (WHERE s.amount IS NOT NULL AND s.rate IS NULL) AS unconverted,
       sum(s.amount * s.rate) AS pledged_usd,
       count(*) FILTER (WHERE s.amount IS NOT NULL AND s.rate IS NOT NULL) AS pledged_n,
       count(*) FILTER (WHERE s.disbursed IS NOT NULL) AS disbursing,
       sum(s.disbursed * s.rate) AS disbursed_usd,
       count(*) FILTER (WHERE s.disbursed IS NOT NULL AND s.rate IS NOT NULL) AS disbursed_n,
       NULL::bigint AS targets, NULL::bigint AS reported, NULL::numeric AS target_sum,
       NULL::numeric AS achieved_sum, NULL::bigint AS met, NULL::bigint AS distinct_count,
       NULL AS distinct_figure
FROM owned s
GROUP BY GROUPING SETS ((s.owner_kind, s.owner), (s.owner_kind, s.owner, s.forum),
                        (s.owner_kind, s.owner, s.entity_type))
UNION ALL
SELECT s.owner_kind, s.owner, s.slice_kind, s.slice_key, '',
       count(*),
       count(*) FILTER (WHERE s.implementation_status = 'not_started'),
       count(*) FILTER (WHERE s.implementation_status = 'planning'),
       count(*) FILTER (WHERE s.implementation_status = 'in_progress'),
       count(*) FILTER (WHERE s.implementation_status = 'fulfilled'),
       count(*) FILTER (WHERE s.implementation_status = 'discontinued'),
       count(*) FILTER (WHERE s.implementation_status = ''),
       sum(CASE WHEN s.implementation_status IN ('fulfilled', 'discontinued') THEN 0
                WHEN s.last < current_date - interval '12 months' THEN 1 ELSE 0 END),
       count(*) FILTER (WHERE s.amount IS NOT NULL),
       count(*) FILTER (WHERE s.amount IS NOT NULL AND s.rate IS NULL),
       sum(s.amount * s.rate),
       count(*) FILTER (WHERE s.amount IS NOT NULL AND s.rate IS NOT NULL),
       count(*) FILTER (WHERE s.disbursed IS NOT NULL),
       sum(s.disbursed * s.rate),
       count(*) FILTER (WHERE s.disbursed IS NOT NULL AND s.rate IS NOT NULL),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM sliced s
GROUP BY s.owner_kind, s.owner, s.slice_kind, s.slice_key
UNION ALL
SELECT s.owner_kind, s.owner,
       CASE WHEN grouping(s.forum) = 0 THEN 'forum'
            WHEN grouping(s.entity_type) = 0 THEN 'entity_type' ELSE 'overall' END,
       COALESCE(s.forum, s.entity_type, ''), t.unit,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       count(*), count(*) FILTER (WHERE t.latest IS NOT NULL),
       sum(t.target_value) FILTER (WHERE t.latest IS NOT NULL),
       sum(least(t.latest, t.target_value)) FILTER (WHERE t.latest IS NOT NULL),
       count(*) FILTER (WHERE t.latest IS NOT NULL AND t.latest >= t.target_value), NULL, NULL
FROM owned s JOIN targets t ON t.pledge_id = s.id
GROUP BY GROUPING SETS ((s.owner_kind, s.owner, t.unit), (s.owner_kind, s.owner, s.forum, t.unit),
                        (s.owner_kind, s.owner, s.entity_type, t.unit))
UNION ALL
SELECT s.owner_kind, s.owner, s.slice_kind, s.slice_key, t.unit,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       count(*), count(*) FILTER (WHERE t.latest IS NOT NULL),
       sum(t.target_value) FILTER (WHERE t.latest IS NOT NULL),
       sum(least(t.latest, t.target_value)) FILTER (WHERE t.latest IS NOT NULL),
       count(*) FILTER (WHERE t.latest IS NOT NULL AND t.latest >= t.target_value), NULL, NULL
FROM sliced s JOIN targets t ON t.pledge_id = s.id
GROUP BY s.owner_kind, s.owner, s.slice_kind, s.slice_key, t.unit
UNION ALL
SELECT d.owner_kind, d.owner, CASE WHEN d.owner_kind = 'compact' THEN 'forum' ELSE 'overall' END,
       d.slice_key, '',
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, d.n, d.figure
FROM distinct_groups d;
