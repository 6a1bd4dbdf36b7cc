from django.urls import path

from commonroom.messaging import views

app_name = "messaging"
urlpatterns = [
    path("messages/", views.home, name="home"),
    path("messages/new/", views.conversation_new, name="conversation_new"),
    path("messages/conversations/<int:pk>/", views.conversation_detail, name="conversation_detail"),
    path("messages/conversations/<int:pk>/manage/", views.conversation_manage, name="conversation_manage"),
    path("messages/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("messages/broadcasts/<int:pk>/", views.broadcast_detail, name="broadcast_detail"),
    path("institutions/<int:pk>/inbox/", views.inbox, name="inbox"),
    path("institutions/<int:pk>/broadcasts/", views.broadcast_list, name="broadcast_list"),
    path("institutions/<int:pk>/broadcasts/new/", views.broadcast_new, name="broadcast_new"),
    path("institutions/<int:pk>/messaging/settings/", views.messaging_settings, name="messaging_settings"),
    path("learners/<int:pk>/messages/", views.learner_conversations, name="learner_conversations"),
]
