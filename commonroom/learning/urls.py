from django.urls import path

from commonroom.learning import views

app_name = "learning"
urlpatterns = [
    path("courses/", views.my_courses, name="my_courses"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("courses/<int:pk>/sections/new/", views.section_new, name="section_new"),
    path("courses/<int:pk>/homework/new/", views.assignment_new, name="assignment_new"),
    path("course-sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("course-sections/<int:pk>/delete/", views.section_delete, name="section_delete"),
    path("groups/<int:pk>/course/", views.group_course, name="group_course"),
    path("homework/", views.homework, name="homework"),
    path("homework/<int:pk>/", views.assignment, name="assignment"),
    path("homework/<int:pk>/edit/", views.assignment_edit, name="assignment_edit"),
    path("homework/<int:pk>/marks/", views.marks, name="marks"),
    path("homework/<int:pk>/marks/<int:learner_id>/", views.mark_one, name="mark_one"),
    path("homework/<int:pk>/return/", views.return_work, name="return"),
    path("homework/hand-ins/<int:pk>/feedback-file/", views.feedback_file, name="feedback_file"),
    path("homework/hand-ins/<int:pk>/file/", views.submission_file, name="submission_file"),
    path("learners/<int:pk>/homework/", views.learner_homework, name="learner_homework"),
]
