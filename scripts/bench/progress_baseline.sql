-- The hand-written baseline of `make bench` (measurement 3): the progress figures of every
-- objective and compact, each slice, in ONE statement run through psql. Same tables and the
-- same definitions as the engine (docs/progress.md): counts per implementation status, overdue,
-- USD pledged at the announcement-date rate, latest disbursed amount, targets with their
-- latest approved achieved value; slices overall / forum / entity type (GROUPING SETS),
-- regions, and beneficiary countries for compact totals.
SET jit = off;
SET work_mem = '256MB';
WITH rates AS (
    SELECT currency_id, date AS valid_from, usd_per_unit,
           lead(date) OVER (PARTITION BY currency_id ORDER BY date) AS valid_to
    FROM core_exchangerate
), disbursed AS (
    SELECT DISTINCT ON (pledge_id) pledge_id, disbursed_amount
    FROM pledges_pledgeupdate
    WHERE review_state = 'approved' AND disbursed_amount IS NOT NULL
    ORDER BY pledge_id, reported_on DESC, id DESC
), facts AS MATERIALIZED (
    SELECT p.id, p.compact_id, p.geography_scope, p.amount, p.implementation_status,
           fo.code AS forum, et.code AS entity_type,
           CASE WHEN p.currency_id = 'USD' THEN 1 ELSE r.usd_per_unit END AS rate,
           d.disbursed_amount AS disbursed,
           COALESCE(p.last_update_on, (p.published_at AT TIME ZONE 'UTC')::date) AS last
    FROM pledges_pledge p
    JOIN forums_forum fo ON fo.id = p.forum_id
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
), regions AS MATERIALIZED (
    SELECT DISTINCT bc.pledge_id, c.region
    FROM pledges_pledge_beneficiary_countries bc JOIN core_country c ON c.code = bc.country_id
    WHERE c.region <> ''
), latest_actual AS (
    SELECT DISTINCT ON (a.target_id) a.target_id, a.value
    FROM pledges_pledgeupdateactual a JOIN pledges_pledgeupdate u ON u.id = a.update_id
    WHERE u.review_state = 'approved'
    ORDER BY a.target_id, u.reported_on DESC, u.id DESC
), targets AS MATERIALIZED (
    SELECT t.pledge_id, t.unit, t.target_value, la.value AS latest
    FROM pledges_pledgetarget t JOIN facts f ON f.id = t.pledge_id
    LEFT JOIN latest_actual la ON la.target_id = t.id
), sliced AS (
    -- Region and country slices: one row per (owner, pledge, region or country).
    SELECT f.*, r.region AS slice_key FROM owned f JOIN regions r ON r.pledge_id = f.id
    WHERE f.geography_scope IN ('regional', 'national', 'local')
    UNION ALL
    SELECT f.*, 'global' FROM owned f WHERE f.geography_scope = 'global'
    UNION ALL
    SELECT f.*, bc.country_id FROM owned f
    JOIN pledges_pledge_beneficiary_countries bc ON bc.pledge_id = f.id
    WHERE f.owner_kind = 'compact'
)
SELECT s.owner_kind, s.owner, NULL AS slice_key, s.forum, s.entity_type, NULL AS unit,
       count(*) AS pledges,
       count(*) FILTER (WHERE s.implementation_status = 'not_started') AS not_started,
       count(*) FILTER (WHERE s.implementation_status = 'planning') AS planning,
       count(*) FILTER (WHERE s.implementation_status = 'in_progress') AS in_progress,
       count(*) FILTER (WHERE s.implementation_status = 'fulfilled') AS fulfilled,
       count(*) FILTER (WHERE s.implementation_status = 'discontinued') AS discontinued,
       count(*) FILTER (WHERE s.implementation_status = '') AS no_update,
       sum(CASE WHEN s.implementation_status IN ('fulfilled', 'discontinued') THEN 0
                WHEN s.last < current_date - interval '12 months' THEN 1 ELSE 0 END) AS overdue,
       count(*) FILTER (WHERE s.amount IS NOT NULL AND s.rate IS NULL) AS unconverted,
       sum(s.amount * s.rate) AS pledged_usd,
       sum(s.disbursed * s.rate) AS disbursed_usd,
       NULL::numeric AS target_sum, NULL::numeric AS achieved_sum
FROM owned s
GROUP BY GROUPING SETS ((s.owner_kind, s.owner), (s.owner_kind, s.owner, s.forum),
                        (s.owner_kind, s.owner, s.entity_type))
UNION ALL
SELECT s.owner_kind, s.owner, s.slice_key, NULL, NULL, NULL,
       count(*),
       count(*) FILTER (WHERE s.implementation_status = 'not_started'),
       count(*) FILTER (WHERE s.implementation_status = 'planning'),
       count(*) FILTER (WHERE s.implementation_status = 'in_progress'),
       count(*) FILTER (WHERE s.implementation_status = 'fulfilled'),
       count(*) FILTER (WHERE s.implementation_status = 'discontinued'),
       count(*) FILTER (WHERE s.implementation_status = ''),
       sum(CASE WHEN s.implementation_status IN ('fulfilled', 'discontinued') THEN 0
                WHEN s.last < current_date - interval '12 months' THEN 1 ELSE 0 END),
       count(*) FILTER (WHERE s.amount IS NOT NULL AND s.rate IS NULL),
       sum(s.amount * s.rate), sum(s.disbursed * s.rate), NULL, NULL
FROM sliced s
GROUP BY s.owner_kind, s.owner, s.slice_key
UNION ALL
SELECT s.owner_kind, s.owner, NULL, s.forum, s.entity_type, t.unit,
       count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       sum(t.target_value) FILTER (WHERE t.latest IS NOT NULL),
       sum(least(t.latest, t.target_value)) FILTER (WHERE t.latest IS NOT NULL)
FROM owned s JOIN targets t ON t.pledge_id = s.id
GROUP BY GROUPING SETS ((s.owner_kind, s.owner, t.unit), (s.owner_kind, s.owner, s.forum, t.unit),
                        (s.owner_kind, s.owner, s.entity_type, t.unit))
UNION ALL
SELECT s.owner_kind, s.owner, s.slice_key, NULL, NULL, t.unit,
       count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       sum(t.target_value) FILTER (WHERE t.latest IS NOT NULL),
       sum(least(t.latest, t.target_value)) FILTER (WHERE t.latest IS NOT NULL)
FROM sliced s JOIN targets t ON t.pledge_id = s.id
GROUP BY s.owner_kind, s.owner, s.slice_key, t.unit;
