from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases import views as case_views
from cmm.core import twofactor_views
from cmm.core import views as core_views
from cmm.core.forms import LoginForm

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", twofactor_views.verify, name="two_factor_verify"),
    path("accounts/two-factor/enrol/", twofactor_views.enrol, name="two_factor_enrol"),
    path(
        "accounts/two-factor/recovery-codes/",
        twofactor_views.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("session/status/", core_views.session_status, name="session_status"),
    path("session/keep-alive/", core_views.session_keep_alive, name="session_keep_alive"),
    path("session/drafts/save/", core_views.draft_save, name="draft_save"),
    path("session/drafts/restore/", core_views.draft_restore, name="draft_restore"),
    path("session/drafts/discard/", core_views.draft_discard, name="draft_discard"),
    path("inquiries/", include("referrals.urls")),
    path("cases/", include("cases.urls")),
    path("search/", case_views.search, name="search"),
    path("statistics/", case_views.statistics_page, name="statistics"),
    path(
        "statistics/<int:year>/download/<slug:fmt>/",
        case_views.statistics_download,
        name="statistics_download",
    ),
    path("returns/", include("repatriation.urls")),
    path("audit/", include("cmm.audit.urls")),
    path("admin/", admin.site.urls),
]
