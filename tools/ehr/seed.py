"""A believable synthetic practice for the sandbox EHR, fully determined by (seed, anchor date).

The practice is the one the knowledge base describes (`tools.ehr.practice.HARBORVIEW`: Harborview
Counseling Group, Portland, ME): its office is the in-person location, every clinician's weekly
hours fall inside its appointment hours (Saturday is telehealth only), and its clients live in
Maine / New Hampshire (the practice's zone; telehealth is only offered there). Six clinicians in
three time zones (two work remotely, telehealth only, their hours kept in their own zone), one
supervisor, 120 clients with minors + guardians and a few 42 CFR Part 2 clients, 26 weeks of
past appointments and four weeks of future ones, portal threads, homework, goals, medications,
forms, episodes and PHQ-9 / GAD-7 history. Every client name, phone and address is invented.

Attendance is not a coin flip per visit: each client has a latent no-show propensity
(`noshow_propensity`: most reliably attend, a few often miss), nudged a little by lead time and
time of day, so the no-show model has a real per-client signal to learn. The extra draws come
from their own random streams, so adding them did not reshuffle the rest of the practice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tools.ehr.models import (
    LOINC_CODES,
    Appointment,
    AssessmentResult,
    AvailabilityWindow,
    Client,
    Clinician,
    ConsentFlags,
    Episode,
    Guardian,
    Homework,
    Medication,
    Message,
    OutstandingForm,
    Thread,
    TreatmentGoal,
)
from tools.ehr.practice import HARBORVIEW
from tools.ehr.practice import Practice as PracticeInfo

TELEHEALTH_BASE = f"https://telehealth.{HARBORVIEW.website}/room/"
OFFICE = HARBORVIEW.office_location
PAST_WEEKS = 26

# fmt: off
_GIVEN = (
    "Avery", "Jordan", "Riley", "Morgan", "Casey", "Taylor", "Quinn", "Harper", "Rowan",
    "Emerson", "Skyler", "Dakota", "Reese", "Finley", "Hayden", "Parker", "Sawyer", "Elliot",
    "Marisol", "Priya", "Tomas", "Lena", "Malik", "Sofia", "Darius", "Imani", "Hana", "Mateo",
    "Nadia", "Owen", "Camila", "Jonah", "Aisha", "Felix", "Greta", "Ines", "Kofi", "Lucia",
    "Ravi", "Tessa",
)
_FAMILY = (
    "Abernathy", "Baptiste", "Castellano", "Delacroix", "Eriksen", "Fairweather", "Gallagher",
    "Halvorsen", "Ibarra", "Jablonski", "Kowalczyk", "Lindqvist", "Marchetti", "Nakamura",
    "Okonkwo", "Pemberton", "Quintero", "Rasmussen", "Szymanski", "Thistlewood", "Underhill",
    "Vasquez", "Whitcombe", "Yamaguchi", "Zielinski", "Ashworth", "Brennan", "Calloway",
    "Donnelly", "Esposito",
)
_STREETS = (
    "Maple", "Cedar", "Willow", "Birch", "Juniper", "Alder", "Linden", "Hawthorn", "Sycamore",
    "Magnolia",
)
_TOWNS = (
    "Portland, ME", "South Portland, ME", "Westbrook, ME", "Falmouth, ME", "Scarborough, ME",
    "Biddeford, ME", "Portsmouth, NH",
)
# fmt: on

_CLINICIANS = (
    # id, given, family, credentials, role, timezone, supervisor
    ("clin-okafor", "Adaeze", "Okafor", "PhD", "supervisor", "America/New_York", None),
    ("clin-reyes", "Daniel", "Reyes", "LCSW", "clinician", "America/New_York", "clin-okafor"),
    ("clin-chen", "Mei", "Chen", "LMFT", "clinician", "America/New_York", "clin-okafor"),
    ("clin-walsh", "Brigid", "Walsh", "LPC", "clinician", "America/Chicago", "clin-okafor"),
    ("clin-haddad", "Samir", "Haddad", "PsyD", "clinician", "America/Los_Angeles", None),
    ("clin-novak", "Petra", "Novak", "LCSW", "clinician", "America/New_York", "clin-haddad"),
)

# weekday -> (start, end) in the PRACTICE's zone, inside its hours; every clinician gets one of
# these weekly patterns, shifted into their own zone. Saturday mornings are telehealth only.
_PATTERNS = (
    {0: (9, 17), 1: (9, 17), 3: (12, 20), 4: (9, 13)},
    {0: (12, 20), 2: (9, 17), 3: (9, 17), 4: (9, 15), 5: (9, 13)},
    {1: (8, 16), 2: (12, 20), 3: (9, 17), 4: (9, 13)},
)

_SKILLS = (
    ("Box breathing", "Practice 4-4-4-4 breathing twice a day and note your stress before/after."),
    ("Thought record", "Fill in one thought record when you notice a strong mood shift."),
    ("Behavioral activation", "Schedule two small enjoyable activities this week."),
    ("Sleep hygiene", "Keep a consistent wake time and log your sleep for seven days."),
    ("Grounding 5-4-3-2-1", "Use the 5-4-3-2-1 grounding exercise when anxiety rises."),
    ("Values check-in", "Write down one action you took this week that matched a value."),
)
_GOALS = (
    "Reduce frequency of panic episodes to fewer than one per week",
    "Return to work or school attendance at least four days a week",
    "Improve sleep to six or more hours most nights",
    "Use a coping skill before reacting in conflict at home",
    "Re-engage with two friends or family members each week",
)
_MEDS = (
    ("Sertraline", "50 mg daily"),
    ("Escitalopram", "10 mg daily"),
    ("Bupropion XL", "150 mg daily"),
    ("Hydroxyzine", "25 mg as needed"),
)
_THREAD_OPENERS = (
    ("Rescheduling", "Hi, could we move my appointment next week? Afternoons work better."),
    ("Billing question", "I got a statement from the office and had a question about the copay."),
    ("Forms", "Where do I find the release of information form you mentioned?"),
    ("Running late", "Running about ten minutes late today, sorry!"),
    ("Telehealth link", "Can you resend the link for my video session?"),
)


@dataclass
class Practice:
    clinicians: list[Clinician] = field(default_factory=list)
    availability: list[AvailabilityWindow] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    homework: list[Homework] = field(default_factory=list)
    goals: list[TreatmentGoal] = field(default_factory=list)
    medications: list[Medication] = field(default_factory=list)
    forms: list[OutstandingForm] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)
    assessments: list[AssessmentResult] = field(default_factory=list)


def build_practice(seed: int, anchor: date, client_count: int = 120) -> Practice:
    """The same (seed, anchor, client_count) always yields the same practice."""
    rng = random.Random(f"{seed}:{anchor.isoformat()}")
    practice = Practice()
    for cid, given, family, creds, role, tz, sup in _CLINICIANS:
        practice.clinicians.append(
            Clinician(
                id=cid,
                given_name=given,
                family_name=family,
                credentials=creds,
                role=role,
                timezone=tz,
                email=f"{given.lower()}.{family.lower()}@harborviewcounseling.test",
                phone=f"+1-555-01{rng.randint(10, 99)}",
                supervisor_id=sup,
                accepts_bookings=role != "supervisor",
            )
        )
    for index, clinician in enumerate(practice.clinicians):
        shift = _hours_behind(HARBORVIEW, clinician.timezone, anchor)
        for weekday, (start_h, end_h) in _PATTERNS[index % len(_PATTERNS)].items():
            practice.availability.append(
                AvailabilityWindow(
                    clinician_id=clinician.id,
                    weekday=weekday,
                    start=time(start_h - shift),
                    end=time(end_h - shift),
                    timezone=clinician.timezone,
                )
            )
    bookable = [c for c in practice.clinicians if c.accepts_bookings]
    _seed_clients(rng, practice, bookable, anchor, client_count)
    _seed_appointments(rng, practice, anchor, seed)
    _seed_records(rng, practice, anchor)
    _seed_created_at(practice, seed, anchor)
    return practice


def _seed_created_at(practice: Practice, seed: int, anchor: date) -> None:
    """Each record opened before the client's first booking and first episode of care."""
    rng = random.Random(f"{seed}:{anchor.isoformat()}:created")
    first: dict[str, datetime] = {}
    for appointment in practice.appointments:
        seen = first.get(appointment.client_id)
        if seen is None or appointment.created_at < seen:
            first[appointment.client_id] = appointment.created_at
    for episode in practice.episodes:
        start = datetime.combine(episode.start, time(9), UTC)
        if episode.client_id not in first or start < first[episode.client_id]:
            first[episode.client_id] = start
    fallback = datetime.combine(anchor, time(9), UTC)
    practice.clients = [
        c.model_copy(
            update={
                "created_at": first.get(c.id, fallback)
                - timedelta(days=rng.randint(1, 21), hours=rng.randint(0, 8))
            }
        )
        for c in practice.clients
    ]


def _hours_behind(info: PracticeInfo, zone: str, anchor: date) -> int:
    """Whole hours `zone` is behind the practice's zone (US zones change clocks together)."""
    noon = datetime.combine(anchor, time(12), ZoneInfo(info.timezone))
    return 12 - noon.astimezone(ZoneInfo(zone)).hour


def noshow_propensity(seed: int, client_id: str) -> float:
    """A client's own base no-show probability: most reliably attend, some now and then, a few
    often miss. Deterministic in (seed, client id), from its own random stream."""
    rng = random.Random(f"noshow:{seed}:{client_id}")
    roll = rng.random()
    if roll < 0.55:
        return rng.uniform(0.0, 0.03)  # reliably attends
    if roll < 0.88:
        return rng.uniform(0.04, 0.12)
    return rng.uniform(0.25, 0.45)  # often misses


def _noshow_probability(base: float, lead: timedelta, local_hour: int) -> float:
    """Base propensity, a little higher for visits booked far ahead or at the day's edges."""
    odds = base / (1 - base) if base < 1 else 1e6
    if lead > timedelta(days=21):
        odds *= 1.5
    if local_hour < 9 or local_hour >= 17:
        odds *= 1.4
    return odds / (1 + odds)


def _seed_clients(
    rng: random.Random,
    practice: Practice,
    bookable: list[Clinician],
    anchor: date,
    count: int,
) -> None:
    used: set[tuple[str, str]] = set()
    part2_ids = set(rng.sample(range(count), 5))
    part2_consented = set(sorted(part2_ids)[:2])
    for n in range(count):
        while True:
            given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
            if (given, family) not in used:
                used.add((given, family))
                break
        minor = n % 7 == 3
        age = rng.randint(12, 17) if minor else rng.randint(19, 72)
        birth = date(anchor.year - age, rng.randint(1, 12), rng.randint(1, 28))
        clinician = bookable[n % len(bookable)]
        guardian = None
        if minor:
            guardian = Guardian(
                name=f"{rng.choice(_GIVEN)} {family}",
                relationship=rng.choice(("mother", "father", "legal guardian")),
                phone=f"+1-555-02{n:02d}",
                email=f"guardian{n:03d}@mail.test",
                preferred_channel=rng.choice(("portal", "sms", "email")),
            )
        sms = rng.random() < 0.7
        email = rng.random() < 0.6
        channel = rng.choice(["portal"] + (["sms"] if sms else []) + (["email"] if email else []))
        practice.clients.append(
            Client(
                id=f"cl-{n + 1:04d}",
                given_name=given,
                family_name=family,
                preferred_name=rng.choice((None, None, None, given[:3])),
                birth_date=birth,
                phone=f"+1-555-03{n:02d}" if n < 100 else f"+1-555-04{n - 100:02d}",
                email=f"{given.lower()}.{family.lower()}{n}@mail.test",
                address=f"{rng.randint(10, 990)} {rng.choice(_STREETS)} Ave, "
                f"{_TOWNS[n % len(_TOWNS)]}",
                record_number=f"MRN-{100000 + n * 37}",
                insurance_member_id=f"INS-{rng.randint(10_000_000, 99_999_999)}",
                preferred_channel=channel,
                timezone=HARBORVIEW.timezone,
                clinician_id=clinician.id,
                guardian=guardian,
                is_minor=minor,
                part2=n in part2_ids,
                consents=ConsentFlags(
                    sms=sms,
                    email=email,
                    part2_disclosure=n in part2_consented,
                    ai_assisted_drafting=rng.random() < 0.95,
                ),
                opted_out_channels=("sms",) if sms and rng.random() < 0.05 else (),
            )
        )


def _seed_appointments(rng: random.Random, practice: Practice, anchor: date, seed: int) -> None:
    """Each client gets a recurring weekly (or biweekly) hour inside their clinician's hours."""
    windows: dict[str, list[AvailabilityWindow]] = {}
    for window in practice.availability:
        windows.setdefault(window.clinician_id, []).append(window)
    taken: dict[str, set[tuple[int, int, int]]] = {}  # clinician -> (weekday, hour, parity)
    counter = 0
    clinician_zone = {c.id: c.timezone for c in practice.clinicians}
    history_rng = random.Random(f"{seed}:{anchor.isoformat()}:attendance")
    for client in practice.clients:
        zone = ZoneInfo(clinician_zone[client.clinician_id])  # weekly hours are in their zone
        propensity = noshow_propensity(seed, client.id)
        hours = [
            (w.weekday, h)
            for w in windows[client.clinician_id]
            for h in range(w.start.hour, w.end.hour)
        ]
        biweekly = rng.random() < 0.4
        parity = rng.randint(0, 1) if biweekly else -1
        options = [
            (d, h)
            for d, h in hours
            if (d, h, parity) not in taken.setdefault(client.clinician_id, set())
            and (d, h, -1) not in taken[client.clinician_id]
            and (
                parity != -1
                or (
                    (d, h, 0) not in taken[client.clinician_id]
                    and (d, h, 1) not in taken[client.clinician_id]
                )
            )
        ]
        if not options:
            continue
        weekday, hour = rng.choice(options)
        taken[client.clinician_id].add((weekday, hour, parity))
        modality = "telehealth" if rng.random() < 0.6 else "in_person"
        remote = zone.key != HARBORVIEW.timezone  # remote clinicians see clients by video only
        opening = HARBORVIEW.hours_on(weekday)
        if remote or (opening is not None and opening.telehealth_only):
            modality = "telehealth"
        week0 = anchor - timedelta(days=anchor.weekday())
        for week in range(-PAST_WEEKS, 5):
            if biweekly and (week % 2) != parity:
                continue
            day = week0 + timedelta(days=7 * week + weekday)
            start = datetime.combine(day, time(hour), zone).astimezone(UTC)
            counter += 1
            appt_id = f"apt-s{counter:05d}"
            if week >= -4:  # the original four weeks keep their original random stream
                lead = timedelta(days=rng.randint(3, 35), hours=rng.randint(0, 9))
            else:
                lead = timedelta(days=history_rng.randint(3, 35), hours=history_rng.randint(0, 9))
            created = start - lead
            if day < anchor:
                local_hour = start.astimezone(ZoneInfo(HARBORVIEW.timezone)).hour
                p_noshow = _noshow_probability(propensity, lead, local_hour)
                roll = history_rng.random()
                status = (
                    "noshow"
                    if roll < p_noshow
                    else "late_cancelled"
                    if roll < p_noshow + 0.04
                    else "cancelled"
                    if roll < p_noshow + 0.09
                    else "fulfilled"
                )
                if week >= -4:
                    rng.random()  # the draw the original seed made here, so the stream holds
            elif day == anchor:
                status = "confirmed"
            else:
                status = (
                    "confirmed"
                    if day - anchor <= timedelta(days=2) and rng.random() < 0.5
                    else "booked"
                )
            cancelled_at = (
                start
                - timedelta(
                    hours=history_rng.randint(2, 40)
                    if status == "late_cancelled"
                    else history_rng.randint(50, 120)
                )
                if "cancel" in status
                else None
            )
            practice.appointments.append(
                Appointment(
                    id=appt_id,
                    client_id=client.id,
                    clinician_id=client.clinician_id,
                    start=start,
                    end=start + timedelta(minutes=53),
                    status=status,
                    modality=modality,
                    telehealth_url=TELEHEALTH_BASE + appt_id if modality == "telehealth" else None,
                    location=OFFICE if modality == "in_person" else None,
                    service="psychotherapy-53",
                    created_at=created,
                    updated_at=cancelled_at or created,
                    cancelled_at=cancelled_at,
                )
            )


def _seed_records(rng: random.Random, practice: Practice, anchor: date) -> None:
    noon = datetime.combine(anchor, time(12), UTC)
    for n, client in enumerate(practice.clients):
        if rng.random() < 0.45:
            subject, opener = rng.choice(_THREAD_OPENERS)
            thread_id = f"th-s{n + 1:04d}"
            opened = noon - timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 8))
            practice.threads.append(
                Thread(id=thread_id, client_id=client.id, subject=subject, created_at=opened)
            )
            practice.messages.append(
                Message(
                    id=f"msg-s{n + 1:04d}a",
                    thread_id=thread_id,
                    client_id=client.id,
                    sender="guardian" if client.is_minor else "client",
                    sender_id=client.id,
                    text=opener,
                    sent_at=opened,
                )
            )
            practice.messages.append(
                Message(
                    id=f"msg-s{n + 1:04d}b",
                    thread_id=thread_id,
                    client_id=client.id,
                    sender="staff",
                    sender_id="staff-frontdesk",
                    text="Thanks for your message - we'll follow up shortly.",
                    sent_at=opened + timedelta(hours=3),
                    in_reply_to=f"msg-s{n + 1:04d}a",
                )
            )
        skill, instructions = rng.choice(_SKILLS)
        practice.homework.append(
            Homework(
                id=f"hw-s{n + 1:04d}",
                client_id=client.id,
                clinician_id=client.clinician_id,
                skill=skill,
                instructions=instructions,
                assigned_at=noon - timedelta(days=rng.randint(1, 7)),
                due=anchor + timedelta(days=rng.randint(3, 7)),
            )
        )
        practice.goals.append(
            TreatmentGoal(
                id=f"goal-s{n + 1:04d}",
                client_id=client.id,
                description=rng.choice(_GOALS),
                target_date=anchor + timedelta(days=90),
            )
        )
        practice.episodes.append(
            Episode(
                id=f"ep-s{n + 1:04d}",
                client_id=client.id,
                kind="outpatient psychotherapy",
                status="open",
                start=anchor - timedelta(days=rng.randint(40, 400)),
            )
        )
        if rng.random() < 0.35:
            name, dose = rng.choice(_MEDS)
            practice.medications.append(
                Medication(
                    id=f"med-s{n + 1:04d}",
                    client_id=client.id,
                    name=name,
                    dose=dose,
                    prescriber="Dr. L. Moreau (psychiatry)",
                    refill_due=anchor + timedelta(days=rng.randint(-3, 25)),
                )
            )
        if client.part2:
            practice.episodes.append(
                Episode(
                    id=f"ep-s{n + 1:04d}p2",
                    client_id=client.id,
                    kind="SUD program (Part 2)",
                    status="open",
                    start=anchor - timedelta(days=rng.randint(30, 200)),
                    part2=True,
                )
            )
            practice.medications.append(
                Medication(
                    id=f"med-s{n + 1:04d}p2",
                    client_id=client.id,
                    name="Buprenorphine",
                    dose="8 mg daily",
                    prescriber="SUD program",
                    part2=True,
                    refill_due=anchor + timedelta(days=rng.randint(1, 14)),
                )
            )
            practice.goals.append(
                TreatmentGoal(
                    id=f"goal-s{n + 1:04d}p2",
                    client_id=client.id,
                    description="Maintain abstinence and attend weekly group",
                    part2=True,
                )
            )
        if rng.random() < 0.12:
            practice.forms.append(
                OutstandingForm(
                    id=f"form-s{n + 1:04d}",
                    client_id=client.id,
                    kind="intake",
                    title="Intake questionnaire",
                    due=anchor + timedelta(days=5),
                )
            )
        if rng.random() < 0.2:
            practice.forms.append(
                OutstandingForm(
                    id=f"form-s{n + 1:04d}b",
                    client_id=client.id,
                    kind="policy_acknowledgement",
                    title="Updated cancellation policy acknowledgement",
                    due=anchor + timedelta(days=14),
                )
            )
        for k, weeks_ago in enumerate((8, 4)):
            for instrument, items in (("PHQ-9", 9), ("GAD-7", 7)):
                answers = tuple(rng.randint(0, 2) for _ in range(items))
                total = sum(answers)
                panel, total_code = LOINC_CODES[instrument]
                rid = f"asmt-s{n + 1:04d}-{instrument}-{k}"
                practice.assessments.append(
                    AssessmentResult(
                        id=rid,
                        client_id=client.id,
                        instrument=instrument,
                        answers=answers,
                        total_score=total,
                        severity=_band(instrument, total),
                        completed_at=noon - timedelta(weeks=weeks_ago),
                        questionnaire_response_id=f"qr-{rid}",
                        observation_id=f"obs-{rid}",
                        loinc_panel=panel,
                        loinc_total=total_code,
                    )
                )


def _band(instrument: str, total: int) -> str:
    """Standard severity bands (Kroenke 2001 for PHQ-9, Spitzer 2006 for GAD-7)."""
    cuts = ((5, "minimal"), (10, "mild"), (15, "moderate"))
    if instrument == "PHQ-9":
        cuts = cuts + ((20, "moderately severe"),)
    for limit, label in cuts:
        if total < limit:
            return label
    return "severe"
