from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

import cases.urls
from cases import views as case_views
from cmm.audit import urls as audit_urls
from cmm.core import twofactor_views
from cmm.core import views as core_views
from cmm.core.forms import LoginForm
from retention.urls import urlpatterns as retention_patterns

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
    # The retention pages keep their cases:* names; before the case's own routes, whose
    # <pk>/<step>/ would otherwise take /cases/<pk>/anonymise/.
    path("cases/", include(([*retention_patterns, *cases.urls.urlpatterns], "cases"))),
    path("search/", case_views.search, name="search"),
    path("statistics/", include("stats.urls")),
    path("returns/", include("repatriation.urls")),
    path(
        "audit/",
        include(
            (
                [
                    path("cases/<int:pk>/", case_views.person_access, name="person"),
                    *audit_urls.urlpatterns,
                ],
                "audit",
            )
        ),
    ),
    path("api/", include("api.urls")),
    path("api-clients/", include("api.page_urls")),
    path("rules/", include("rules.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "cmm.core.views.server_error"
