from django.urls import path

from commonroom.quizzes import views

app_name = "quizzes"
urlpatterns = [
    path("questions/", views.bank, name="bank"),
    path("questions/new/", views.question_new, name="question_new"),
    path("questions/<int:pk>/", views.question, name="question"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/copy/", views.question_copy, name="question_copy"),
    path("quizzes/", views.my_quizzes, name="my_quizzes"),
    path("groups/<int:pk>/quizzes/", views.group_quizzes, name="group_quizzes"),
    path("groups/<int:pk>/quizzes/new/", views.quiz_new, name="quiz_new"),
    path("quizzes/<int:pk>/", views.quiz, name="quiz"),
    path("quizzes/<int:pk>/edit/", views.quiz_edit, name="quiz_edit"),
    path("quizzes/<int:pk>/take/", views.take, name="take"),
    path("quizzes/<int:pk>/results/", views.results, name="results"),
    path("quiz-attempts/<int:pk>/", views.attempt, name="attempt"),
]
