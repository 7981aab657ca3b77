"""Portal routes of the inbox (namespace "notify"); the SMS login page is /accounts/sms-login/ ("sms_login")."""

from django.urls import path

from governance.notify import views

app_name = "notify"
urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/<int:pk>/read/", views.MarkReadView.as_view(), name="read"),
    path("inbox/read-all/", views.MarkAllReadView.as_view(), name="read_all"),
]
