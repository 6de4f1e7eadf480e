"""Demo users and synthetic inquiries and cases for a developer's machine.

Everything here is invented. Running it again changes nothing, but for the demo API
clients' keys, which are made anew (and printed) on every run.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from api import clients as api_clients
from api.models import ApiClient
from cases import services as case_services
from cases.models import Case, Outcome, Recommendation, ResidenceStatus
from cases.models.assessment import authority_for
from cases.services import inquiry_refer
from cmm.core.codes import ContactActor, ExploitationForm, Gender
from cmm.core.roles import Role
from referrals import services as referral_services
from referrals.models import Channel, CloseReason, Inquiry, Subject, Urgency
from repatriation import services as return_services

# Dev-only passwords, printed by `make run`; the command refuses to run with debug off.
DEMO_USERS = [
    ("hotline", "Hanne", "Hotline", Role.HOTLINE, "demo-hotline-2026"),
    ("kontakt1", "Karin", "Kontaktperson", Role.CONTACT_PERSON, "demo-kontakt-2026"),
    ("kontakt2", "Kasper", "Kontaktperson", Role.CONTACT_PERSON, "demo-kontakt-2026"),
    ("teamleder", "Tove", "Teamleder", Role.SUPERVISOR, "demo-teamleder-2026"),
    ("statistik", "Stig", "Statistik", Role.STATISTICS, "demo-statistik-2026"),
    ("admin", "Anna", "Administrator", Role.ADMINISTRATOR, "demo-admin-2026"),
]

ALIASES = [
    ("Blessing", Gender.WOMAN, "NG", "engelsk", ExploitationForm.SEXUAL),
    ("Joy", Gender.WOMAN, "NG", "engelsk", ExploitationForm.SEXUAL),
    ("Nok", Gender.WOMAN, "TH", "thai", ExploitationForm.SEXUAL),
    ("Ion", Gender.MAN, "RO", "rumænsk", ExploitationForm.FORCED_LABOUR),
    ("Minh", Gender.MAN, "VN", "vietnamesisk", ExploitationForm.CRIMINAL),
    ("Youssef", Gender.MAN, "MA", "arabisk", ExploitationForm.CRIMINAL),
    ("Li", Gender.WOMAN, "CN", "mandarin", ExploitationForm.FORCED_LABOUR),
    ("Ama", Gender.WOMAN, "GH", "engelsk", ExploitationForm.UNRESOLVED),
    ("Andrei", Gender.MAN, "UA", "ukrainsk", ExploitationForm.FORCED_LABOUR),
    ("Farid", Gender.MAN, "AF", "dari", ExploitationForm.UNRESOLVED),
]

SUMMARIES = [
    "Politiet har anholdt en person ved en razzia; personen fortæller om gæld til en rekrutterer.",
    "En NGO har mødt en kvinde på gaden, som ikke selv har sit pas.",
    "Fagforening henvender sig om byggearbejdere, der bor på pladsen og ikke får løn.",
    "Asylcenter oplyser om en ung mand, der er blevet tvunget til at sælge stoffer.",
    "Borger ringer om en restaurant, hvor ansatte arbejder 14 timer om dagen.",
]


# (name, partner type, deciding authority, scope): one client per scope.
DEMO_API_CLIENTS = [
    ("Demo: Politiet (henvisninger)", "police", "", "inquiries:submit"),
    ("Demo: Politiet (status)", "police", "", "inquiries:status"),
    ("Demo: Udlændingestyrelsen", "immigration_service", "immigration_service", "decisions:submit"),
    ("Demo: Statistik", "ngo", "", "statistics:read"),
]


class Command(BaseCommand):
    help = "Create demo users (one per role) and synthetic inquiries and cases. Debug only."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DJANGO_DEBUG on: it sets known passwords.")
        users = self._users()
        self._api_clients(users)
        if Inquiry.objects.exists():
            self.stdout.write("Demo data already present; users checked.")
            return
        self._inquiries(users)
        self._cases(users)
        self.stdout.write(self.style.SUCCESS("Demo data created."))

    def _api_clients(self, users: dict[str, User]) -> None:
        """One demo client per scope, with a fresh key printed on every run (a key is shown
        only when made): development only, like the passwords."""
        self.stdout.write("Demo API clients (development only; keys new on every run):")
        for name, partner_type, authority, scope in DEMO_API_CLIENTS:
            client = ApiClient.objects.filter(name=name).first()
            if client is None:
                client, key = api_clients.client_create(
                    actor=users.get("admin"),
                    name=name,
                    partner_type=partner_type,
                    authority=authority,
                    contact="demo@example.invalid",
                    scopes=[scope],
                    expires_on=timezone.localdate() + timedelta(days=365),
                )
            else:
                key = api_clients.client_rotate(actor=users.get("admin"), client_id=client.pk)
            self.stdout.write(f"  {scope:18} {name}: {key}")

    def _users(self) -> dict[str, User]:
        users = {}
        for username, first, last, role, password in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@cmm.invalid",
                },
            )
            if created:
                user.set_password(password)
                # Only the administrator uses the admin site, for user accounts.
                user.is_staff = role == Role.ADMINISTRATOR
                user.save()
            user.groups.add(Group.objects.get(name=role))
            users[username] = user
        return users

    @transaction.atomic
    def _inquiries(self, users: dict[str, User]) -> None:
        rng = random.Random(2026)  # noqa: S311 - demo data, not security
        hotline = users["hotline"]
        now = timezone.now()
        for i in range(24):
            alias, gender, nationality, language, exploitation = ALIASES[i % len(ALIASES)]
            received = now - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))
            subject = Subject.POSSIBLE_VICTIM if i % 4 else rng.choice(list(Subject))
            urgency = Urgency.CUSTODY if i % 7 == 0 else Urgency.NONE
            inquiry = referral_services.inquiry_create(
                actor=hotline,
                data={
                    "received_at": received,
                    "channel": Channel.HOTLINE if i % 3 else Channel.EMAIL,
                    "caller_type": rng.choice(
                        [
                            ContactActor.POLICE,
                            ContactActor.POLICE,
                            ContactActor.NGO,
                            ContactActor.TRADE_UNION,
                            ContactActor.ASYLUM_CENTRE,
                            ContactActor.CITIZEN,
                        ]
                    ),
                    "caller_organisation": "",
                    "subject": subject,
                    "urgency": urgency,
                    "summary": rng.choice(SUMMARIES),
                },
                persons=[
                    {
                        "alias": f"{alias} (demo)",
                        "gender": gender,
                        "age": rng.randint(16, 45),
                        "age_is_estimate": bool(i % 2),
                        "nationality": nationality,
                        "language": language,
                        "interpreter_needed": True,
                        "whereabouts": "",
                        "suspected_exploitation": exploitation,
                    }
                ],
            )
            stage = i % 6
            if stage == 0:
                continue  # stays received
            inquiry = referral_services.inquiry_triage(
                actor=hotline,
                inquiry_id=inquiry.pk,
                version=inquiry.version,
                note="Demo-visitering.",
            )
            if stage in (1, 2):
                continue  # stays triaged
            if stage in (3, 4):
                inquiry_refer(actor=hotline, inquiry_id=inquiry.pk, version=inquiry.version)
            else:
                referral_services.inquiry_close(
                    actor=hotline,
                    inquiry_id=inquiry.pk,
                    version=inquiry.version,
                    reason=rng.choice([CloseReason.ADVICE_GIVEN, CloseReason.REFERRED_ELSEWHERE]),
                )

    @transaction.atomic
    def _cases(self, users: dict[str, User]) -> None:
        """Carry the referred cases along the identification, some further than others."""
        supervisor = users["teamleder"]
        contacts = [users["kontakt1"], users["kontakt2"]]
        now = timezone.now()
        for i, case in enumerate(Case.objects.order_by("id")):
            if i % 5 == 4:
                continue  # stays in the unassigned queue
            contact = contacts[i % 2]
            residence = (
                ResidenceStatus.LEGAL_RESIDENCE
                if i % 3 == 0
                else ResidenceStatus.NO_LEGAL_RESIDENCE
            )
            case_services.person_update(
                actor=supervisor,
                case_id=case.pk,
                version=case.version,
                data={"residence_status": residence},
            )
            case.refresh_from_db()
            case = case_services.case_assign(
                actor=supervisor, case_id=case.pk, version=case.version, contact_person=contact
            )
            if i % 5 == 0:
                continue  # awaits its first interview
            case_services.interview_record(
                actor=contact,
                case_id=case.pk,
                version=case.version,
                data={
                    "held_at": now - timedelta(days=5),
                    "place": "CMM, København",
                    "interpreter": "Demo-tolk",
                    "interpreter_language": "engelsk",
                    "indicators": ["deceived", "debt", "documents_withheld"],
                    "trafficker_ties": True,
                    "recommendation": Recommendation.TRAFFICKED,
                    "notes": "Syntetisk demo-samtale.",
                },
                interviewers=[contact],
            )
            case.refresh_from_db()
            if i % 5 == 1:
                continue  # interviewing
            authority = authority_for(residence, timezone.localdate() - timedelta(days=3))
            case_services.case_send_for_assessment(
                actor=contact,
                case_id=case.pk,
                version=case.version,
                authority=authority,
                sent_on=timezone.localdate() - timedelta(days=3),
            )
            case.refresh_from_db()
            if i % 5 == 2:
                continue  # awaits the decision
            case = case_services.case_record_assessment(
                actor=contact,
                case_id=case.pk,
                version=case.version,
                data={
                    "outcome": Outcome.TRAFFICKED,
                    "decided_on": timezone.localdate(),
                    "contact_actor": ContactActor.POLICE,
                    "exploitation_form": ExploitationForm.FORCED_LABOUR,
                    "forced_labour_industry": "construction",
                    "exploitation_country": "DK",
                },
            ).case
            case.refresh_from_db()
            self._support(case, contact)

    def _support(self, case: Case, contact: User) -> None:
        """The offer accepted, a reflection period, housing and a police report."""
        today = timezone.localdate()
        case_services.case_answer_offer(
            actor=contact, case_id=case.pk, version=case.version, accepted=True, on=today
        )
        case.refresh_from_db()
        case_services.reflection_start(
            actor=contact,
            case_id=case.pk,
            version=case.version,
            starts_on=today,
            granted_by=authority_for(case.person.residence_status, case.authority_rules_date()),
        )
        case.refresh_from_db()
        case_services.placement_add(
            actor=contact,
            case_id=case.pk,
            version=case.version,
            data={"housing_type": "crisis_centre", "place": "Demo-krisecenter", "starts_on": today},
        )
        case.refresh_from_db()
        case_services.police_report_record(
            actor=contact,
            case_id=case.pk,
            version=case.version,
            data={"filed": False, "not_filed_reason": "in_preparation"},
        )
        case.refresh_from_db()
        prepared = return_services.return_start(
            actor=contact, case_id=case.pk, case_version=case.version
        )
        prepared = return_services.return_update(
            actor=contact,
            return_id=prepared.pk,
            version=prepared.version,
            data={"offer_accepted_on": today, "application_sent_on": today, "children": 1},
        )
        return_services.return_advance(
            actor=contact, return_id=prepared.pk, version=prepared.version, step="to_safety"
        )
