from django.urls import path

from commonroom.identity import views

app_name = "identity"
urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("account/add-child/", views.add_child, name="add_child"),
    path("join/", views.join, name="join"),
    path("manage/accounts/", views.accounts, name="accounts"),
    path("manage/accounts/new/", views.account_create, name="account_create"),
    path("manage/accounts/<int:pk>/active/", views.account_active, name="account_active"),
    path("manage/roles/grant/", views.role_grant, name="role_grant"),
    path("manage/roles/<int:pk>/end/", views.role_end, name="role_end"),
]
