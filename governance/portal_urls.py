from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, path

from governance import views
from governance.forms import LoginForm

app_name = ""
urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
urlpatterns += views.portal_patterns
