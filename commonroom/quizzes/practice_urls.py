from django.urls import path

from commonroom.quizzes import practice_views as views

app_name = "practice"
urlpatterns = [
    path("practice/", views.practice_home, name="home"),
    path("practice/skills/", views.my_skills, name="my_skills"),
    path("practice/turns/<int:pk>/", views.turn, name="turn"),
    path("practice/<int:pk>/", views.practice, name="practice"),
    path("learners/<int:pk>/skills/", views.learner_skills, name="learner_skills"),
    path("groups/<int:pk>/skills/", views.group_skills, name="group_skills"),
]
