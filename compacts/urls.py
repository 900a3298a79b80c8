from django.urls import path

from . import views

app_name = "compacts"
urlpatterns = [path("", views.home, name="home")]
