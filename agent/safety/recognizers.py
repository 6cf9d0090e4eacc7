"""Presidio recognizers for identifiers nobody told us about: third-party names, phones, emails,
URLs, SSNs, dates of birth, street addresses, record/insurance/account ids, IPs, ages over 89.

Why custom recognizers: Presidio's stock email and URL recognizers call `tldextract`, which fetches
the public-suffix list from the internet, and its NER needs a downloaded spaCy model; neither is
allowed here. Everything below is pattern, deny-list or context logic that runs offline on
Presidio's `NoOpNlpEngine`. First names come from the US Census list shipped in the `names` package;
names that are also ordinary or function words ("Hope", "Will", "May", Spanish "Su") only count
with a name context. The engine is run on text folded by `agent.safety.phi.fold` (no accents), so
patterns and cue words are written in ASCII ("senora", "marco") and still match "señora", "março".
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts, NoOpNlpEngine
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer

#: Entity types this module reports (the placeholder stem of each).
ENTITIES = ("PERSON", "PHONE", "EMAIL", "URL", "SSN", "DATE", "ADDRESS", "ID", "IP", "AGE", "CARD")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Census first names that are ordinary words: a name only with context (mid-sentence capital,
# "my friend X", "X said", "with X").
_COMMON_WORD_EXTRAS = _words(
    "grace charity mercy patience harmony destiny trinity heaven christian sterling sage sky amber "
    "crystal ruby hazel jack max sue don dean gene carol frank earl faith hope will may june april "
    "august joy dawn rose iris jade summer autumn winter holly ivy lily daisy penny pearl ray rich "
    "mark bill art guy drew chase hunter king prince major rocky sandy skip sonny sunny melody "
    "bobbie ginger pepper honey star precious unique justice miracle chau"
)
# Census first names that are function words or never names in a portal message.
_NEVER_NAMES = _words(
    "an in my so see ha pa else many long soon hang hung sang sung lean loan man son miss carry "
    "marry desire golden brain chin china america sunday monday tuesday wednesday thursday friday "
    "saturday january february march september october november december the and or but not "
    "can do did is it me we us our a i ok okay thanks thank please dear hi hello hey yes no god "
    "lord jesus christ mom dad mum sir madam doctor nurse mi ma ola mam amma appa umma nana "
    "bo easter christmas navidad thanksgiving halloween ramadan eid diwali hanukkah passover "
    "kwanzaa "
    # Sign-offs of a pasted signature and interjections ("Miriam Adler-Shah, Esq.", "Nurse
    # Manager", "... both saw it. Ugh.").
    "esq manager ugh"
)
# Texting shorthand and adverbs that follow a relation word without being a name ("my mom lol",
# "my dad finally called").
_NOT_NAMES_LOWER = _words(
    "lol tho rn bc cuz idk smh omg tbh ngl btw imo lmao pls plz thx ty u ur ya yall rly jk fr asap "
    "email e-mail portal account loan loans card visa housing schedule records insurance "
    "benefits stuff things "
    "tmrw tmr po naman ba pa na always never really actually literally usually finally probably "
    "again already today tonight tomorrow yesterday though either keeps et est qui que il elle "
    "nous vous ils on au aux pour avec dans sur ou donc ne pas aine ainee cadet cadette mayor "
    "menor ugh omg haha lmfao hmm k yeah yep nope wow bruh fam sigh anyway anyways "
    # contractions typed without the apostrophe ("theres a rope in my closet")
    "theres thats whats heres wheres whos hes shes its im ive id ill youre youve theyre theyve "
    "were weve dont doesnt didnt cant wont isnt arent wasnt werent hasnt havent couldnt "
    "wouldnt shouldnt lets"
)
# Closing words a sign-off puts before a name: never the name.
_SIGN_OFF_WORDS = _words(
    "love thanks regards best cheers merci gracias obrigado obrigada abraco abracos beijos bisous "
    "saludos atentamente cordialement xoxo xo mahadsanid salamat kamsahamnida dyakuiu thx thnx "
    "tysm ty bye cya ttyl peace blessings shukran asante dziekuje multumesc mersi dhanyavaad "
    "nandri daalu medaase chau"
)
# Organisations a practice's clients name all the time ("Aetna said..."): never a person.
_ORGANISATIONS = _words(
    "aetna cigna humana tufts medicare medicaid masshealth bcbs blue cross optum kaiser anthem "
    "united unitedhealthcare harvard pilgrim zoom google apple microsoft venmo paypal cvs "
    "walgreens amazon uber lyft facebook instagram tiktok "
    # Portal things that do what people do ("Copay went to my old address").
    "copay co-pay deductible invoice refill voicemail paperwork referral superbill telehealth "
    "prescription reimbursement"
)
# Words that make the capitalised words before them a place, not a person ("Pierce Middle",
# "Lincoln High", "Crane & Whitley Associates").
_INSTITUTION_WORDS = _words(
    "Middle High Elementary Academy School College University Hospital Center Centre Clinic "
    "Institute Associates Group LLC Inc Foundation Library Pharmacy Bank Services Service "
    "Community Human Health Healthcare Behavioral Manor Home Homes Village Commons Gardens Towers "
    "Church Agency Department Partners Medical Counseling Care"
)
# Countries and continents that are also census first names: a place after a place word
# ("flying in from India", "moved to Jordan"), a name elsewhere ("with Jordan").
_PLACES = _words(
    "india china asia africa america europe england ireland france italy spain germany poland "
    "romania ukraine russia mexico cuba haiti jamaica brazil peru chile colombia nigeria ghana "
    "kenya somalia ethiopia egypt lebanon syria iraq iran israel jordan pakistan bangladesh "
    "vietnam korea japan canada australia"
)
_MONTHS = _words(
    "january february march april may june july august september october november december"
)
#: English, Spanish and Portuguese function words (accents folded). A client or third party whose
#: name is one of these ("Will", "May", "Do", "Le", "Su") is a name only with a name context, or
#: every "will" and Spanish "su" would be redacted.
FUNCTION_WORDS = _words(
    "a an the and or but if so as at by for from in into of off on onto out over to up with "
    "about than then too very is am are was were be been do does did have has had will would "
    "shall should can could may might must not no yes i me my we us our you your he him his she "
    "her it its they them their this that these those there here what who whom which when where "
    "why how all any some each few more most other such only own same just also now even still "
    "well much many hi hey ok okay dear "
    "el la los las lo le les un una unos unas y e o u de del al en con por para sin sobre mi mis "
    "tu tus su sus yo te se nos que si es son era fue ser esta este esto ese esa muy mas pero "
    "como cuando donde ya hoy "
    "os as um uma em na nas nos da das do dos meu minha seu sua eu ele ela nao sim sou mas"
)
# "and TK (my roommates)": a name in apposition does not start on a function word.
_FUNCTION_ALTERNATION = "|".join(sorted(FUNCTION_WORDS, key=len, reverse=True))
# Capitalised words that are never the surname after a first name ("Sarah Thursday" is not a name).
# (Hung, Long, Chin, Son... are not first names here but are surnames and given-name parts.)
_SURNAME_WORDS = _words("hung sang sung long chin man son lean loan do")
_NOT_SURNAMES = (_NEVER_NAMES - _SURNAME_WORDS) | _MONTHS | _words(
    "here there i im i'm is was are will would can could should said says told and or but to from "
    "for with at on in of my your his her their our this that the a an if when because so then "
    "also just today tomorrow tonight yesterday morning afternoon evening night week weekend"
)

_RELATIONS = (
    # Phrases first: an alternation takes its first match ("companero" before "companero de").
    r"companer[oa] de (?:cuarto|piso|clase|trabajo)|colega de quarto|medio hermano|"
    r"media hermana|"
    r"friend|best friend|bestie|mom|mother|mum|dad|father|sister|brother|sibling|son|daughter|"
    r"husband|wife|spouse|partner|boyfriend|girlfriend|fianc[ée]e?|roommate|room mate|boss|"
    r"manager|co-?worker|colleague|teacher|cousin|aunt|uncle|grandma|grandmother|grandpa|"
    r"grandfather|nephew|niece|kid|child|baby|neighbou?r|ex|supervisor|coach|pastor|therapist|"
    r"psychiatrist|doctor|lawyer|attorney|caseworker|case manager|social worker|sponsor|"
    r"stepdad|stepmom|stepson|stepdaughter|babysitter|nanny|guardian|foster mom|foster dad|"
    r"caregiver|landlord|pcp|counselor|counsellor|tutor|classmate|student|patient|client|"
    r"emergency contact|hr person|hr lady|hr guy|person|lady|guy|"
    # Spanish and Portuguese, accents folded ("mi prima esperanza", "la licenciada Ximena").
    r"mama|papa|madre|padre|hermano|hermana|primo|prima|tio|tia|abuelo|abuela|hijo|hija|esposo|"
    r"esposa|marido|novio|novia|amigo|amiga|jefe|jefa|vecino|vecina|maestro|maestra|profesor|"
    r"profesora|abogado|abogada|trabajadora social|trabajador social|doctora|senor|senora|"
    r"senorita|licenciado|licenciada|companero|companera|suegro|suegra|cunado|cunada|sobrino|"
    r"sobrina|nieto|nieta|padrastro|madrastra|pareja|terapeuta|psiquiatra|consejero|consejera|"
    r"mae|pai|irmao|irma|filho|filha|namorado|namorada|chefe|vizinho|vizinha|avo|advogado|"
    r"advogada|professora|sogra|sogro|cuidador|cuidadora|enfermeira|baba|"
    # French ("ma soeur Nadege", "sa mere, Kettly"), Tagalog and texting ("my tita baby", "my bf").
    r"soeur|frere|mere|pere|mari|femme|fille|fils|tante|oncle|cousine|grand-mere|grand-pere|"
    r"belle-mere|beau-pere|belle-soeur|beau-frere|ami|amie|copain|copine|professeur|tuteur|"
    r"tutrice|voisin|voisine|tita|tito|lola|lolo|kuya|ninang|ninong|abuelita|abuelito|"
    r"bf|gf|bff|hubby|wifey|"
    # Campus, work, foster-care and recovery roles ("our RA Sky", "my TA jessica", "my PO", "the
    # caseworker"), and "-mate" compounds ("my cubicle mate summer", "lab mate").
    r"ra|ta|pi|advisor|adviser|professor|prof|instructor|mentor|principal|dean|lab partner|"
    r"(?:room|flat|house|team|class|lab|bunk|cubicle|desk|dorm|suite|cell|play|work|school|"
    r"study|cabin|gym|band)[\s\-]?mate|roomie|buddy|pal|bro|sis|cuz|crush|case worker|worker|"
    r"probation officer|parole officer|po|casa|house parent|youth pastor|rabbi|imam|priest|"
    r"sheikh|psychologist|pediatrician|dentist|pharmacist|midwife|doula|trainer|aide|intern|"
    r"team lead|shift lead|recruiter|staff|staff member|house manager|youth worker|"
    # Clinic, pharmacy and benefits roles ("the tech, Art, said", "the visiting nurse, Kateri",
    # "my prescriber Obi", "her HR person, Ms Tran", "el tecnico Chuy").
    r"nurse practitioner|pharmacy tech|care coordinator|peer specialist|health care proxy|"
    r"nurse|tech|technician|doc|prescriber|provider|clinician|np|"
    r"receptionist|scheduler|front desk|rep|representative|coordinator|"
    r"navigator|peer|advocate|proxy|"
    r"assistant|secretary|officer|agent|specialist|liaison|"
    # Workplace roles an employee-assistance client names ("my dispatcher Sylvain", "the
    # adjuster is wade guidry", "the gm kawika", "el gerente willy").
    r"dispatcher|adjuster|foreman|forewoman|deckhand|captain|skipper|director|gm|steward|"
    r"shop steward|union rep|delegate|delegado|delegada|gerente|supervisora|gal|"
    r"guardian ad litem|"
    r"tecnico|tecnica|farmaceutico|farmaceutica|enfermero|enfermera|recepcionista|"
    # Spanish and Portuguese roommates and step/half relations ("mi companero de cuarto Chuy"),
    # French, Romanian ("tata, Constantin", "sora mea") and Polish ("moja siostra Kasia").
    r"hermanastr[oa]|madrina|padrino|padrasto|madrasta|colega|orientador|"
    r"orientadora|colocataire|coloc|demi-frere|demi-soeur|sora|fratele|frate|tata|tatal|"
    r"bunica|bunicul|matusa|unchiul|varul|verisoara|sotul|sotia|iubitul|iubita|prietenul|"
    r"prietena|seful|sefa|colegul|diriginta|dirigintele|siostra|brat|babcia|dziadek|ciocia|"
    r"wujek|kuzyn|kuzynka|chlopak|dziewczyna|maz|szef|szefowa|kolega|kolezanka|przyjaciel|"
    r"przyjaciolka"
)
# Kin words that name a person without "my" in their language, and kin titles ("Dziadek
# Wladyslaw", "tata, Constantin", "uncle femi", "Tia Rosa", "Nani ji"); case-insensitive.
_BARE_KIN = (
    r"dziadek|dziadzia|babcia|ciocia|wujek|tata|tatal|bunica|bunicul|buni|sora|fratele|matusa|"
    r"unchiul|uncle|auntie|aunty|tia|tio|tita|tito|lola|lolo|kuya|abuela|abuelo|abuelita|"
    r"abuelito|grandma|grandpa|granny|didi|bhaiya|dadi|nani|chacha|chachi|mamu|masi|khala|khalu|"
    r"akka|thatha|paati"
)
# Titles of address that are capitalised before a name ("Pa Nnamdi", "Alhaji Musa", "Iya
# Bisi", "Sister Mary"): written like this they are titles; "pa", "ma" in lower case are not.
_KIN_TITLES = (
    r"Pa|Ma|Mama|Papa|Baba|Iya|Nne|Nna|Mummy|Daddy|Oga|Alhaji|Alhaja|Hajia|Haji|Hajja|Sheikh|"
    r"Shaykh|Imam|Ustaz|Ustadh|Sister|Brother|Rev|Reverend|Deacon|Elder|Bishop|Rabbi|Chief|"
    r"Aunt|Auntie|Aunty|Uncle|Grandma|Grandpa|Nana"
)
# Honorifics after a name ("Ravi uncle", "kemi aunty", "Sharma ji", "Meena akka").
_HONORIFIC_AFTER = r"ji|jee|didi|bhaiya|bhai|akka|aunty|auntie|uncle|sahib|saab|baji|apa|apu"
# Where a colleague or housemate comes from ("Bill from accounting", "jen from the front desk").
_PLACES_OF_LIFE = (
    r"work|school|church|class|group|hr|accounting|payroll|marketing|sales|admissions|"
    r"financial aid|billing|reception|rehab|detox|youth group|mosque|temple|"
    r"synagogue|the (?:gym|office|shelter|store|clinic|front desk|lab|dorm|program|agency|"
    r"group home|hospital|team|mosque|temple|warehouse|restaurant|kitchen|team)|next door|"
    r"down the (?:street|hall)|upstairs|downstairs|my (?:job|work|class|building|dorm|floor|"
    r"team|program|unit|church)"
)
# Acronyms a relation word is often followed by ("my student ID", "my therapist LCSW"): never
# initials.
_ACRONYMS = _words(
    "ID MD DO PA NP RN LPN CNA LCSW LMHC LICSW LPC LMFT MSW PHD PSYD ER ICU IEP HR IT PT OT SLP "
    "BCBA RBT ABA CPS DCF DSS ACS GAL PTSD ADHD OCD ASD BPD TV PC US USA UK AM PM OK LOL OMG "
    "BTW ASAP FYI IDK TBH SMH NGL IRL DM DMS TA RA PI PO GPA SAT ACT FAFSA EBT SNAP WIC SSI "
    "SSDI DMV MRN DOB SSN ZIP APT BF GF BFF ASL ESL NPI DEA NDC REMS ANC DON EKG ECG MRI CVS "
    "PCP LAI"
)
# Possessives that are never a person's name ("everyone's school", "today's class").
_NOT_SIGNERS = _SIGN_OFF_WORDS | FUNCTION_WORDS
_NOT_POSSESSORS = _words(
    "everyone someone somebody anyone anybody nobody everybody children women men people kids "
    "family world year week month day other one"
) | _NEVER_NAMES | FUNCTION_WORDS | _NOT_SURNAMES | _NOT_NAMES_LOWER | _ORGANISATIONS
# Halves of hyphenated words that are not Korean given names ("Co-pay", "Follow-up").
_PREFIXES = _words("co re pre non ex mid self anti multi post semi sub tele step great half")
_COMPOUND_TAILS = _words(
    "up in on off out by ups ins care time term day week year mail pay being all over back free "
    "law mom dad wife son do based like ons end to old aged ish known made type"
)
_PARTICLES = _words("de la del da dos das van von der den bin ibn bint ben al el di du le")
_DETERMINERS = (
    r"my|our|his|her|their|your|the|a|mi|mis|su|sus|tu|tus|nuestro|nuestra|la|el|los|las|del|"
    r"meu|minha|seu|sua|o|do|da|ma|mon|sa|son|ta|ton|notre|votre|leur|mes|ses"
)
# A word after these is a noun, not a lower-case name: "the bill from work".
_NOT_BEFORE_LOWER_NAME = [*_DETERMINERS.split("|"), "an", "any", "this"]
# Words that open a noun phrase ("the sky", "an april"), and with quantifiers and subject
# pronouns the words after which a plain word is not a name ("some hope", "i will").
_PHRASE_OPENERS = rf"{_DETERMINERS}|an|this|that"
_NOT_A_NAME_AFTER = rf"{_PHRASE_OPENERS}|some|any|no|every|each|i|we|you|they|he|she"
# Particles inside a surname: "Juan de la Cruz", "Nguyen Van Hung", "Ahmed bin Salem".
_PARTICLE = r"(?:(?:de la|de|del|da|dos|das|van|von|der|den|bin|ibn|al|el|di|du|le|la)\s+)?"
_TITLES = (
    r"Dr|Doctor|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Officer|Judge|Pastor|Father|Nurse|Coach|"
    r"Dra|Doctora|Sr|Sra|Srta|Lic|Licenciada|Licenciado|Senor|Senora|Senorita|Dona|Sto|Sta|"
    r"Mme|Mlle|M(?=\.)"
)
_CAP = r"[A-Z][a-zA-Z'\-]+"
# Initials written with dots: "K.J.", "A.", "M. R."
_DOTTED = r"[A-Z]\.(?:\s?[A-Z]\.){0,2}"
#: Characters of context a name rule looks at on each side.
_WINDOW = 60
# Titles written in lower case in texting (or read so: a message in capitals).
_LOWER_TITLES = (
    r"mrs|mr|ms|miss|mx|dr|dra|doctor|nurse|coach|prof|professor|officer|pastor|sra|srta|sr|"
    r"judge"
)
# Titles that are also plain nouns: after "the", "my" they are the noun ("the nurse says").
_NOUN_TITLES = _words("doctor nurse coach pastor professor officer judge")
# Words after a lower-case title that make it a noun, not a name's title ("the dr office",
# "nurse practitioner", "doctor note").
_TITLE_NOUNS = _words(
    "office offices appt appt. appointment appointments visit visits note notes letter line "
    "practitioner practitioners station staff team portal message messages call calls hotline "
    "bag class session sessions order orders form forms referral report"
)
# Abstract nouns that are census names: "ask for patience", "talk to faith" are not people.
_ABSTRACT_NAMES = _words(
    "grace charity mercy patience harmony destiny trinity heaven faith hope joy justice miracle "
    "unique precious honey star will may"
)
# Endings of nouns that do what people do in a sentence ("Presentation went well").
_NOUN_ENDINGS = r"(?:tion|sion|ment|ness|ity|ance|ence|ing|ogy|ics|ery|ure|ship|ism)$"
_TITLE_WORDS = frozenset(t.lower().split("(")[0] for t in _TITLES.split("|"))
_ANY_WORD = r"[A-Za-z][a-zA-Z'\-]+"
# (Only pasts unlike their participle: "my Zoloft sent to CVS" is passive, "Vlad broke it" not.)
_IRREGULAR_PASTS = (
    r"ate|broke|went|gave|stole|wrote|ran|threw|forgot|spoke|swore|woke|hid|bit|chose|fell|froze|"
    r"tore|wore|saw|flew|grew|drank|sang|swam|began|rode|shook|blew|doesnt|didnt|wont|cant|isnt|"
    r"wasnt|hasnt|hasn't"
)
# Adverbs texting puts between a name and its verb ("bentley just broke my ps5").
_ADVERB = (
    r"(?:(?:just|also|still|literally|finally|always|never|actually|really|even|totally|"
    r"basically|kinda|sorta|def|prob)\s+)?"
)
# Words after a name that make a common-word name ("Hope said", "Will texted") a person.
_NAME_VERBS = (
    r"said|says|told|tells|thinks|thought|wants|wanted|asked|asks|called|calls|texted|texts|"
    r"is|was|has|had|and I|keeps|kept|left|came|comes|hit|hits|yelled|yells|knows|knew|"
    r"will|won't|can't|doesn't|didn't|isn't|wasn't|got|gets|says|feels|felt|needs|works|"
    r"lives|moved|passed|died|drove|drives|picked|brought|took|takes|helped|helps|"
    # Irregular pasts and texting negations: no modal or article comes before them.
    + _IRREGULAR_PASTS
)
# Words before a name that make a common-word name a person ("with Hope", "tell Will").
_NAME_PREPS = (
    r"with|w/|w|and|to|from|for|tell|told|ask|asked|call|called|text|texted|me and|me n|about|by|"
    r"saw|see"
)


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Lower-cased US Census first names (about 5,000), from the `names` package's data files."""
    folder = Path(str(resources.files("names")))
    found: set[str] = set()
    for filename in ("dist.male.first", "dist.female.first"):
        with (folder / filename).open(encoding="ascii") as handle:
            found.update(line.split()[0].lower() for line in handle if line.strip())
    return frozenset(found - _NEVER_NAMES)


@lru_cache(maxsize=1)
def everyday_words() -> frozenset[str]:
    """About 3,000 everyday English words (textstat's easy-word list)."""
    easy = resources.files("textstat") / "resources" / "en" / "easy_words.txt"
    return frozenset(easy.read_text(encoding="utf-8").split())


@lru_cache(maxsize=1)
def english_words() -> tuple[str, ...]:
    """The 82,765 words of symspellpy's English frequency list, commonest first."""
    english = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    with english.open(encoding="utf-8") as handle:
        return tuple(line.split()[0] for line in handle if line.strip())


@lru_cache(maxsize=1)
def world_first_names() -> frozenset[str]:
    """About 13,800 given names of 86 locales that the census list lacks (Yoruba, Igbo, Twi,
    Hindi, Tamil, Polish, Romanian, Arabic and Spanish names in Latin letters...), from the name
    lists shipped inside Faker's person providers (MIT, no download), accents dropped,
    lower-cased, without the 20,000 commonest English words of symspellpy's frequency list
    ("york", "per", "media") and without relation words ("aide"). Used in name slots only
    ("talked to ilinca", "rohan is trying", "Mehmet was there"): taken as a name anywhere, the
    list also takes place names and greetings of other languages ("Boston", "Bună").
    """
    found: set[str] = set()
    person = importlib.import_module("faker.providers.person")  # 0.2 s: only when first used
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attribute in ("first_names", "first_names_male", "first_names_female"):
            names = getattr(provider, attribute, ())
            if not isinstance(names, (tuple, list, dict)):
                continue  # a property computed from other lists
            for name in names:
                for part in name.split():
                    decomposed = unicodedata.normalize("NFKD", part)
                    key = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
                    if key.isascii() and key.isalpha() and len(key) > 2:
                        found.add(key)
    relation = re.compile(rf"(?:{_RELATIONS}|{_BARE_KIN}|{_HONORIFIC_AFTER})")
    return frozenset(
        name
        for name in found - frozenset(english_words()[:20_000]) - first_names()
        - everyday_words() - FUNCTION_WORDS - _NEVER_NAMES - _NOT_SURNAMES - _NOT_NAMES_LOWER
        - _MONTHS - _ORGANISATIONS
        if not relation.fullmatch(name)  # "my mother's home aide just called"
    )


@lru_cache(maxsize=1)
def common_word_names() -> frozenset[str]:
    """First names that are also everyday English words or function words: they need a context
    to count."""
    return frozenset(
        (first_names() & everyday_words()) | (_COMMON_WORD_EXTRAS & first_names()) | FUNCTION_WORDS
    )


class RegexRecognizer(EntityRecognizer):
    """Regex recognizer that reports the named group `phi` when present, else the whole match.

    Presidio's `PatternRecognizer` reports whole matches only; context-anchored identifiers
    ("member ID ABC123") need just the id redacted, not the cue words the model needs to see.
    """

    def __init__(self, entity: str, patterns: list[tuple[str, float]], flags: int = 0) -> None:
        self._patterns = [(re.compile(p, flags), score) for p, score in patterns]
        super().__init__(supported_entities=[entity], name=f"{entity.lower()}_regex")

    def load(self) -> None:
        """Nothing to load: the patterns are compiled in `__init__`."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = []
        for pattern, score in self._patterns:
            for match in pattern.finditer(text):
                group = "phi" if "phi" in pattern.groupindex and match.group("phi") else 0
                start, end = match.span(group)
                start, end = _trim(text, start, end)
                if end > start:
                    results.append(RecognizerResult(self.supported_entities[0], start, end, score))
        return results


def _initials(word: str) -> bool:
    """'K.J.', 'A.', 'JR': a person's initials, not an acronym ('ID', 'LCSW', 'PTSD')."""
    return bool(re.fullmatch(_DOTTED, word)) or (
        2 <= len(word) <= 3 and word.isalpha() and word.isupper() and word not in _ACRONYMS
    )


# Arabic and Persian (as `fold` writes them: hamza seats dropped, so one spelling each): a kin
# word with its possessive ("zawji", "my husband"; "okhti", "my sister"; "baradaram") or a
# title, then the name ("زوجتي ريم", "الدكتورة سلمى"). Arabic script has no capitals, so the
# word after the cue is the name unless it is a function word, an adjective or carries the
# article al- (a surname with al- may follow the given name: "سارة العلي").
_AR_LETTERS = "\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff"
_AR_KIN = (
    "زوجي|زوجتي|اخي|اختي|اخويا|ابني|ابنتي|بنتي|امي|ابي|ابويا|والدي|والدتي|صديقي|صديقتي|صاحبي|"
    "صاحبتي|عمي|عمتي|خالي|خالتي|جدي|جدتي|حماتي|حماي|خطيبي|خطيبتي|زميلي|زميلتي|مديري|مديرتي|"
    "جاري|جارتي|الدكتور|الدكتورة|دكتور|دكتورة|الاستاذ|الاستاذة|استاذ|استاذة|السيد|السيدة|الشيخ|"
    "الحاج|الحاجة|الانسة|المعلم|المعلمة|همسرم|شوهرم|خواهرم|برادرم|مادرم|پدرم|دخترم|پسرم|دوستم"
)
_AR_NOT_NAMES = _words(
    "في من الى على عن مع لا لم لن ما هو هي هم كان كانت قال قالت يقول تقول و ان انه انها قد "
    "كل هذا هذه ذلك تلك التي الذي مريض مريضة تعبان تعبانة لديه لديها عنده عندها يريد تريد "
    "يحب تحب ليس ليست جدا ايضا الان اليوم امس غدا دائما ابدا يا بعد قبل حتى او ثم لكن بس "
    "كمان مش مو شو ايش ليش كيف لي له لها معي عندي اللي يعني سوف كثيرا كثير قليلا مرة "
    "هم با از به در كه که را این آن او است بود مریض"
) | frozenset(_AR_KIN.split("|"))
_AR_NAME = re.compile(
    rf"(?<![{_AR_LETTERS}])و?(?:{_AR_KIN})\s+(?P<first>(?!ال)[{_AR_LETTERS}]{{2,}})"
    rf"(?:\s+(?P<last>ال[{_AR_LETTERS}]{{2,}}))?"
)


def _arabic_names(text: str) -> list[RecognizerResult]:
    """Names after an Arabic or Persian kin word or title (see `_AR_KIN`)."""
    if text.isascii():
        return []
    results = []
    for match in _AR_NAME.finditer(text):
        if match.group("first") in _AR_NOT_NAMES:
            continue
        end = match.end("last") if match.group("last") else match.end("first")
        results.append(RecognizerResult("PERSON", match.start("first"), end, 0.8))
    return results


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop trailing sentence punctuation a greedy pattern swallowed ("call 555-1234.")."""
    while end > start and text[end - 1] in ".,;:!?)'\"":
        end -= 1
    return start, end


class PersonRecognizer(EntityRecognizer):
    """Third-party names: relation/title cues, census first names, and context for word-names."""

    def __init__(self) -> None:
        self._first = first_names()
        self._common = common_word_names()
        self._world = world_first_names()
        self._english = frozenset(english_words())
        surname = (
            rf"(?:\s+{_PARTICLE}(?P<last>{_CAP})(?:\s+{_PARTICLE}(?P<last2>{_CAP}))?)?"
        )
        self._cued = [
            # "my friend Sarah", "my boss, jen", "the hr person is deb", "mi prima esperanza",
            # "his mom Maria Lopez": any word after a relation.
            # "Maeve's husband Colm", "my daughter-in-law Olena", "o pai dele, Wellington".
            re.compile(
                rf"(?i:\b(?:{_DETERMINERS}|[a-z][a-z\-]*'s|and|&)\s+(?:[a-z][\w\-]*(?:'s)?\s+){{0,2}}?"
                rf"(?:(?:little|older|younger|"
                rf"big|best|ex|new|old|twin|former|work|school|church|birth|bio|adoptive|host|"
                rf"host family|group home)"
                rf"[\s\-])?(?:(?:step|half|foster|god|great)[\s\-]?)?"
                rf"(?:{_RELATIONS})(?:-in-law)?(?:\s+(?:dele|dela))?"
                rf"(?:\s+(?:at|from|with|in|on)\s+(?:the\s+)?[a-z][\w'&.\-]*(?:\s+[a-z][\w'&\-]*)?"
                rf"(?=,))?),?\s+"
                rf"(?:(?:is|as|was|es)\s+)?(?i:(?:(?:{_DETERMINERS})\s+)?(?:{_TITLES})\.?\s+)?"
                rf"(?P<first>{_ANY_WORD}|{_DOTTED}){surname}"
            ),
            # "Will (my brother)", "Sarah, my sister,": a name in apposition to a relation.
            re.compile(
                rf"\b(?!(?:{_FUNCTION_ALTERNATION})\b)(?P<first>{_ANY_WORD}){surname}"
                rf"(?=\s*[(,]\s*(?i:(?:{_DETERMINERS})\s+"
                rf"(?:{_RELATIONS})s?)\b)"
            ),
            # "bill from work", "jen from church": a lower-case name tied to a place of life.
            re.compile(
                r"\b(?=[a-z][a-z'\-]+\s+from\s)"  # cheap test first, the lookbehinds after
                + "".join(rf"(?i:(?<!\b{w} ))" for w in _NOT_BEFORE_LOWER_NAME)
                + r"(?P<first>[a-z][a-z'\-]+)(?=\s+from\s+"
                rf"(?:{_PLACES_OF_LIFE})\b)"
            ),
            # "Dr. Patel", "Mrs Anne Brown".
            re.compile(rf"\b(?:{_TITLES}|dona|don|dr|dra)\.?\s+(?P<first>{_CAP}){surname}"),
            # "named Tom", "name is Alex", "Aiden calls him Hunt", "le decimos Chuy".
            re.compile(
                rf"(?i:\b(?:named|name is|name was|name's|goes by|this is|it's|it is|signed|"
                rf"call(?:s|ed)? (?:him|her|them)|we call (?:him|her|them)|le (?:decimos|dicen)|"
                rf"(?:chamamos|chamam) (?:ele |ela )?de|on l'appelle))\s+(?P<first>{_CAP}){surname}"
            ),
            # Haitian Creole puts the possessive after the noun: "mari m Wilner", "fi m nan".
            re.compile(rf"(?i:\b(?:mari|madanm|manman|fre|pitit|fi|gason)\s+m)\s+(?P<first>{_CAP})"),
        ]
        # "boss (dan)", "my roommate (K.J.)": a name in brackets after a relation; a census name
        # or initials only, since "my dad (dementia)" is the usual bracket. The bracket is
        # found first and the relation looked for before it: the relation list tried at every
        # word would cost more than all the other name rules.
        self._bracketed = re.compile(rf"\(\s*(?P<first>{_ANY_WORD}|{_DOTTED})(?=\s*\))")
        self._relation_before = re.compile(rf"(?i:\b(?:{_RELATIONS})s?)\s*$")
        # Kin words and titles of address before a name, no "my" needed: "Dziadek Wladyslaw",
        # "tata, Constantin", "uncle femi", "Pa Nnamdi Nwachukwu", "Alhaji Musa".
        self._kin_title = re.compile(
            rf"(?:(?i:\b(?:{_BARE_KIN}))|\b(?:{_KIN_TITLES}))\.?,?\s+(?P<first>{_ANY_WORD}){surname}"
        )
        # Honorifics after a name: "Ravi uncle", "kemi aunty", "Sharma ji".
        self._honorific_after = re.compile(
            rf"(?<![\w'])(?P<first>{_ANY_WORD})\s+(?i:{_HONORIFIC_AFTER})\b"
        )
        # A handle: "@Kwame stop", "@tunde.b" (an email's "@" has a word before it).
        self._handle = re.compile(r"(?<![\w.])@(?P<first>[A-Za-z][\w.]{1,29}[A-Za-z0-9])")
        # A single initial doing what people do: "M says i should stay home".
        self._letter_name = re.compile(
            r"(?<![\w.'])(?P<first>[B-HJ-Z])\.?(?=\s+(?:said|says|told|tells|thinks|wants|texted|"
            r"called|keeps|asked|yelled|took|left|came|broke|ate|went)\b)"
        )
        # Sign-offs ("Thanks, Jo", "Merci, M-C", "Abraco, JP", "love, from Sam" at a line end):
        # initials count here, unlike "my student ID".
        self._sign_off = re.compile(
            rf"(?i:\b(?:love|thanks|thank you|regards|best|cheers|merci|gracias|obrigad[oa]|"
            rf"abracos?|beijos?|bisous|saludos|un abrazo|atentamente|cordialement|xoxo|xo|thx|"
            rf"thnx|tysm|ty|thank u|much love|talk soon|ttyl|bye|cya|blessings|god bless|shukran|"
            rf"asante|dziekuje|multumesc|mersi|dhanyavaad|nandri|daalu|medaase)[,!.]?"
            rf"|^\s*from)\s+(?P<first>[A-Z][A-Za-z'.\-]*[A-Za-z.])(?:\s+(?P<last>{_CAP}))?"
            r"(?=\s*(?:$|\n|[.!,]))",
            re.MULTILINE,
        )
        # A message that ends on one unusual capitalised word after a sentence: "...the essay.
        # Shiv". (Census names there are caught anyway.)
        self._last_word = re.compile(
            rf"(?:[.!?]\s+|\n\s*|(?:^|(?<=\s))[-\u2013\u2014~]\s*)(?P<first>{_CAP})[\s.!]*\Z"
        )
        # "Sofiia's school", "Joy's number", "sky's mom dawn": a possessive before a relation or
        # something only a person has.
        self._possessive = re.compile(
            rf"(?<![\w'])(?P<first>{_ANY_WORD})'s\s+(?:(?:new|ex|late|old|little|older|younger|"
            rf"big|step|baby)[\s\-]+)?(?i:(?:{_RELATIONS})(?:-in-law)?|school|number|phone|cell|"
            rf"email|teacher|class|birthday|wedding|funeral|mother|father)\b"
        )
        # Romanised Korean given names: two syllables joined by a hyphen ("Sung-ho", "Ok-soon"),
        # with the family name before them when it is not a plain word ("Yoon Ok-soon").
        self._hyphen_given = re.compile(
            r"(?:\b(?P<family>[A-Z][a-z]{1,6})\s+)?\b(?P<first>[A-Z][a-z]{1,5}-[a-z]{1,5})\b(?!-)"
        )
        # Name shapes with an Arabic, Dutch or German particle: "Khalid bin Saeed".
        self._particle_name = re.compile(
            rf"\b(?P<first>{_CAP})\s+(?:bin|ibn|bint|ben|van der|van den|van|von)\s+"
            rf"(?P<last>{_CAP})(?:\s+(?P<last2>{_CAP}))?"
        )
        self._relation = re.compile(rf"(?:{_RELATIONS})(?:-in-law)?")
        self._noun_phrase_before = re.compile(
            rf"(?i:\b(?:{_PHRASE_OPENERS}))\s+(?:[a-z][\w\-]*\s+)?$"
        )
        self._determiner_before = re.compile(
            rf"(?i:\b(?:{_NOT_A_NAME_AFTER}))"
            r"\s+$"
        )
        # Where a plain word is a noun or a verb, not the name it was elsewhere: "the sky", "i
        # hope", "he'll mark me absent".
        self._word_slot_before = re.compile(
            rf"(?i:\b(?:{_NOT_A_NAME_AFTER}|"
            r"to|will|can|could|would|should|might|must|not)|'ll|n't)\s+$"
        )
        self._verb_next = re.compile(
            rf"^\s+{_ADVERB}(?:{_NAME_VERBS}|[a-z]+ed|is [a-z]+ing|keeps|says|thinks|wants|"
            r"can|could|found|made|sent)\b"
        )
        self._list_after = re.compile(rf"^(?:,\s*|\s+(?:and|&|or|y|e|et)\s+)(?P<first>{_CAP})")
        self._list_before = re.compile(rf"\b(?P<first>{_CAP})(?:,\s*|\s+(?:and|&|or|y|e|et)\s+)$")
        # Surname in a lookahead so "Tell Will" still lets "Will" start its own match.
        self._capitalised = re.compile(
            rf"\b(?P<first>{_CAP})(?=(?:\s+{_PARTICLE}(?P<last>{_CAP})(?:\s+(?P<last2>{_CAP}))?)?)"
        )
        # Lower-case texting: "talked to jennifer" (a census name after a preposition), and any
        # unusual word in an unmistakable name slot: "me and kenji", "kwame and I" opening a
        # sentence, "his name is dmitri", "mrs. kowalski".
        self._lower_cue = re.compile(
            rf"(?<![\w'])(?:{_NAME_PREPS})\s+(?P<first>[a-z][a-z'\-]+)\b"
        )
        # A lower-case name opening a sentence, as its subject: "rohan is trying".
        # The verb in the pattern, so only the few words before one reach the list look-up.
        self._lower_subject = re.compile(
            r"(?<![\w'@\-])(?P<first>[a-z][a-z'\-]{2,})"
            rf"(?=\s+(?:{_ADVERB}(?:{_NAME_VERBS}|[a-z]+ed|is [a-z]+ing|keeps|says|thinks|wants)"
            r"\b|(?:and|n|&)\s+(?:i|me)\b))"
        )
        self._lower_slot = re.compile(
            r"\b(?:me and|me n|me &)\s+(?P<first>[a-z][a-z'\-]+)\b"
            r"|(?:^|(?<=[.!?\n] )|(?<=\bwith )|(?<=\bw/ ))(?P<before>[a-z][a-z'\-]+)"
            r"(?= and (?:[Ii]|me)\b)"
            # "that will is going to change": a modal is never followed by these.
            r"|(?<![\w'])(?P<modal>will|may)(?= (?:is|was|said|says|told|texted|keeps|has been)\b)"
        )
        self._verb_after = re.compile(rf"^(?:'s\b|\s+(?:{_NAME_VERBS})\b)")
        # Lower-case titles ("dr sun said", "miss pat", "nurse kim", a message in capitals read
        # in lower case: "ms. april stokes"), with the surname after them.
        self._title_lower = re.compile(
            rf"(?<![\w'])(?P<title>{_LOWER_TITLES})\.?\s+(?!(?:{_LOWER_TITLES})\b)"
            r"(?P<first>[a-z][a-z'\-]+)"
            r"(?:\s+(?P<last>[a-z][a-z\-]+)\b(?!'))?"
        )
        # Slots that only a name fills, whatever the word: "his name's chase", "pharmacist name
        # was april", "goes by sky".
        self._named_lower = re.compile(
            r"\b(?:named|name is|name was|name's|names|goes by|se llama|chama-se)\s+"
            r"(?P<first>[a-z][a-z'\-]+)\b"
        )
        # Asking for a person at a desk: "ask for dawn", "spoke with rose".
        self._ask_for = re.compile(
            r"\b(?:ask(?:ed|ing)? for|speak (?:to|with)|spoke (?:to|with)|talk(?:ed)? (?:to|with))"
            r"\s+(?P<first>[a-z][a-z'\-]+)\b"
        )
        # A self-introduction with a full name: "I'm Sky Martinez, case manager".
        self._self_intro = re.compile(
            rf"\b(?:I'm|I am|Im|My name is|my name is)\s+(?P<first>{_CAP})\s+(?P<last>{_CAP})"
        )
        # A capitalised word outside the census list is a name only with a strong cue on either
        # side ("I saw Yusuf", "Can Bogdan come"); "Aetna is" or "Boston was" stay untouched.
        self._strong_before = re.compile(
            r"(?i:\b(?:saw|met|meet|visit|visited|invite|invited|told|tell|ask|asked|texted|"
            r"text|call|called|with|w/|me and|can|could|did|does|will|would|reach|contact|"
            r"add|include|bring|let|(?:yelling|yelled|screaming|asking|looking|waiting) for)\s+)$"
        )
        # A person's verbs, in English and the portal's other languages ("Dmytro showed up",
        # "Ngozi has agreed", "Maeve, who's", "Tomek to join", "Edvaldo, acha", "Kettly dit").
        self._strong_after = re.compile(
            rf"^,?\s+{_ADVERB}(?:{_IRREGULAR_PASTS}|"
            r"said|says|told|texted|called|asked|thinks|wants|wanted|came|come|join|"
            r"joined|and I|yelled|hit|moved|left|passed away|died|showed|shows|has agreed|agreed|"
            r"made|makes|arrives|arrived|brings|brought|refuses|refused|stood|cried|screamed|"
            r"lives|lived|keeps|kept|drove|doesn't|won't|can't|didn't|wasn't|isn't|is trying|"
            r"is staying|was born|to join|to come|to attend|and the kids|and the baby|and me|"
            r"who|who's|dice|dijo|quiere|acha|diz|disse|quer|dit|veut|arrive|pa vle)\b"
        )
        self._place_before = re.compile(
            r"(?i:\b(?:from|in|back to|(?:move[ds]?|moving|flew|fly|flying|travel(?:ed|led|ing)?|"
            r"trip|went|going|go|back) to|visit(?:ing|ed)?))\s+$"
        )
        self._from_place = re.compile(rf"(?i:\s+from\s+(?:{_PLACES_OF_LIFE})\b)")
        self._relation_after = re.compile(
            rf"^(?:,\s*|\s+(?:and|&)\s+)(?i:(?:(?:step|half|foster|god|great)[\s\-]?)?"
            rf"(?:{_RELATIONS}))\s+(?P<first>{_ANY_WORD})"
        )
        self._everyday = everyday_words()
        self._prep_before = re.compile(rf"(?i:\b(?:{_NAME_PREPS}))\s+$")
        super().__init__(supported_entities=["PERSON"], name="person_context")

    def load(self) -> None:
        """Nothing to load: name lists come from installed packages."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results: list[RecognizerResult] = []
        for pattern in self._cued:
            for match in pattern.finditer(text):
                first = match.group("first")
                key = first.lower().removesuffix("'s")
                # "my brother Will", "April (my stepdaughter)": a capitalised census name next
                # to a relation counts even when it is also a word or a month.
                listed_capital = first[0].isupper() and key in self._first and (
                    key not in _MONTHS or pattern is self._cued[1]
                )
                if key in _NEVER_NAMES or key in _TITLE_WORDS or key in _ORGANISATIONS:
                    continue
                if first.islower():
                    if pattern is self._cued[1] and key not in self._first:
                        continue  # "si no contesto, mi hija": apposition needs a known name
                    surname_end = self._lower_surname(text, match.end("first"))
                    if not self._lower_name(text, match.end("first"), key) and not (
                        # "the case manager hope lindner said": given name, surname, verb
                        surname_end and key not in FUNCTION_WORDS and key not in _NOT_NAMES_LOWER
                        and self._verb_next.match(text[surname_end : surname_end + _WINDOW])
                    ) and not (
                        key in _MONTHS  # "dr ito's nurse, june?": a month set off by commas
                        and text[match.start("first") - 2 : match.start("first")] == ", "
                        and re.match(r"[,.;!?)]|\s*$", text[match.end("first") :])
                    ):
                        continue  # "my therapist before you", "my mom lol"
                elif (key in _NOT_SURNAMES and not listed_capital) or (
                    first.isupper() and key not in self._first and not _initials(first)
                ):
                    continue  # "my student ID", not "my roommate K.J."
                results.append(self._result(match, text, 0.85))
        for match in self._bracketed.finditer(text):
            first = match.group("first")
            key = first.lower()
            listed = (key in self._first and key not in self._common) or key in self._world
            if (listed or _initials(first)) and self._relation_before.search(
                text[max(0, match.start() - 30) : match.start()]
            ):
                results.append(self._result(match, text, 0.8))
        for match in self._kin_title.finditer(text):
            first = match.group("first")
            key = first.lower().removesuffix("'s")
            if first.islower():
                if self._lower_name(text, match.end("first"), key):
                    results.append(self._result(match, text, 0.8))
            elif self._listed_or_foreign(first):
                # not "Sister Act", "Chief Financial Officer", "Brother printer"
                results.append(self._result(match, text, 0.8))
        for match in self._honorific_after.finditer(text):
            first = match.group("first")
            key = first.lower()
            if self._unusual(first) and key not in self._everyday and not (
                self._relation.fullmatch(key) or re.fullmatch(_BARE_KIN, key)
            ):
                results.append(self._result(match, text, 0.7))
        for match in self._handle.finditer(text):
            key = match.group("first").lower()
            if key not in self._everyday and key not in FUNCTION_WORDS:  # not "@home", "@work"
                results.append(RecognizerResult("PERSON", *match.span("first"), 0.7))
        for match in self._letter_name.finditer(text):
            results.append(RecognizerResult("PERSON", *match.span("first"), 0.6))
        results += _arabic_names(text)
        for match in self._sign_off.finditer(text):
            if match.group("first").lower().strip(".") not in _NOT_SIGNERS:
                results.append(self._result(match, text, 0.8))
        for match in self._last_word.finditer(text):
            if self._unusual(match.group("first")):
                results.append(self._result(match, text, 0.6))
        for match in self._possessive.finditer(text):
            key = match.group("first").lower()
            before = text[max(0, match.start() - 20) : match.start()]
            if not (
                key in _NOT_POSSESSORS
                or (  # "the tribal clinic's pharmacist": a noun after an article
                    key in self._english
                    and key not in self._first
                    and key not in self._world
                    and self._noun_phrase_before.search(before)
                )
                or match.group("first").isupper()
                or self._relation.fullmatch(key)
                or self._determiner_before.search(before)
            ):
                results.append(self._result(match, text, 0.7))
        for match in self._hyphen_given.finditer(text):
            head, _, tail = match.group("first").lower().partition("-")
            if (head in self._everyday and tail in self._everyday) or head in _PREFIXES or (
                tail in _COMPOUND_TAILS
            ):
                continue
            family = match.group("family")
            start = match.start("first")
            if family and self._unusual(family) and family.lower() not in self._first:
                start = match.start("family")
            results.append(RecognizerResult("PERSON", start, match.end("first"), 0.7))
        for match in self._particle_name.finditer(text):
            if self._unusual(match.group("first")) or match.group("first").lower() in self._first:
                results.append(self._result(match, text, 0.7))
        for match in self._capitalised.finditer(text):
            first = match.group("first")
            key = first.lower().removesuffix("'s")
            if (key in _PLACES and self._place_before.search(
                text[max(0, match.start() - 30) : match.start()]
            ) and not text.startswith("'s", match.end("first"))) or (
                first.isupper() and len(first) <= 3
            ):
                # "flying in from India"; "TA", "PA": acronyms or initials. A relation cue
                # makes them names ("my friend India", "my roommate JR").
                continue
            if key not in self._first:
                if (
                    self._unlisted_name_in_context(text, match)
                    or self._mid_capital(text, match)
                ) or (
                    key in self._world
                    and self._verb_after.match(text[match.end("first") : match.end("first") + 30])
                ):  # "Mehmet was there too"
                    results.append(self._result(match, text, 0.6))
                continue
            if key in self._common and not self._word_name_in_context(text, match):
                continue
            results.append(self._result(match, text, 0.7))
        for match in self._lower_cue.finditer(text):
            key = match.group("first").removesuffix("'s")
            prep = text[match.start() : match.start("first")].strip().lower()
            if (key in self._first and key not in self._common and key not in _NEVER_NAMES) or (
                key in self._world and prep not in ("and", "for", "about", "by", "from", "see")
            ):  # "talked to chiamaka"; not "cheese and salami"
                results.append(self._result(match, text, 0.6))
        for match in self._lower_subject.finditer(text):
            key = match.group("first")
            if self._relation.fullmatch(key) or not (
                key in self._world or (key in self._first and key not in self._common)
            ):
                continue  # "home aide just called": a relation word is no name
            if not self._determiner_before.search(
                text[max(0, match.start() - 20) : match.start()]
            ):  # "rohan is trying to stay out of it", "yesterday kelechi and i argued"
                results.append(self._result(match, text, 0.6))
        for match in self._lower_slot.finditer(text):
            group = next(g for g in ("first", "before", "modal") if match.group(g))
            key = match.group(group).removesuffix("'s")
            if group == "modal":
                if not re.search(r"(?i:\b(?:the|a|his|her|my|your|their|our|living))\s+$",
                                 text[max(0, match.start() - 20) : match.start()]):
                    results.append(RecognizerResult("PERSON", *match.span(group), 0.6))
                continue
            if key in self._first and key in self._common:
                continue  # "me and will", "hope and I": words first
            if key in self._first or not (
                key in self._everyday or key in FUNCTION_WORDS or key in _NOT_SURNAMES
            ):
                start, end = match.span(group)
                results.append(RecognizerResult("PERSON", start, end - key.endswith("'s") * 2, 0.6))
        for match in self._title_lower.finditer(text):
            results += self._title_name(text, match)
        for match in self._named_lower.finditer(text):
            key = match.group("first").removesuffix("'s")
            after = text[match.end("first") : match.end("first") + _WINDOW]
            if key in FUNCTION_WORDS or key in _NOT_NAMES_LOWER or key in _NEVER_NAMES or (
                re.search(r"(?:ed|ing|ly)$", key)
            ):
                continue  # "name is on the list", "named after her", "name was misspelled"
            if key in self._first or key in self._world or key not in self._everyday or (
                re.match(r"[,.;!?)]|\s*$", after)
            ):
                results.append(RecognizerResult(
                    "PERSON", match.start("first"), match.start("first") + len(key), 0.7
                ))
        for match in self._ask_for.finditer(text):
            key = match.group("first").removesuffix("'s")
            after = text[match.end("first") : match.end("first") + _WINDOW]
            if key in self._first and key not in _ABSTRACT_NAMES and key not in FUNCTION_WORDS and (
                key not in _MONTHS or re.match(r"[,.;!?)]|\s*$", after)
            ):  # "ask for dawn", not "ask for patience" or "talk to june 5"
                results.append(RecognizerResult(
                    "PERSON", match.start("first"), match.start("first") + len(key), 0.6
                ))
        for match in self._self_intro.finditer(text):
            last = match.group("last").lower().removesuffix("'s")
            if match.group("first").lower() not in FUNCTION_WORDS and not (
                last in self._everyday or last in _NOT_SURNAMES or re.search(r"(?:ed|ing)$", last)
            ):  # "I'm Sky Martinez", not "I'm Feeling Better"
                results.append(self._result(match, text, 0.7))
        results = [r for r in results if not self._institution(text, r)]
        results += self._listed_with(text, results)
        return results + self._elsewhere(text, results)

    def _title_name(self, text: str, match: re.Match[str]) -> list[RecognizerResult]:
        """The lower-case word after a lower-case title, when a name: a census or world name
        ("miss pat", "nurse kim"), a word that is no everyday word ("dr yamamoto"), or one a
        person's verb follows ("dr sun said"); not a noun the title qualifies ("the dr office",
        "doctor note", "my dr bill came") or a function word ("nurse will call"). The next
        word is the surname unless it is an everyday, function or verb-shaped word."""
        first = match.group("first")
        key = first.removesuffix("'s")
        start = match.start("first")
        after = text[start + len(key) : start + len(key) + _WINDOW]
        if (
            key in FUNCTION_WORDS
            or key in _NOT_NAMES_LOWER
            or key in _TITLE_NOUNS
            or key in _NEVER_NAMES
            or self._relation.fullmatch(key)
        ):
            return []
        determiner = self._determiner_before.search(
            text[max(0, match.start() - 20) : match.start()]
        )
        if determiner and match.group("title").lower() in _NOUN_TITLES:
            return []  # "the nurse says", "mi pastor leyo"; "my nurse kim" is a relation's
        plain = key in self._everyday or self._verb_shaped(key)
        if key in _MONTHS:
            named = bool(re.match(r"[,.;!?)]|\s*$|\s+[a-z]+\s+at\b", after)) or bool(
                match.group("last") and match.group("last") not in self._everyday
            )
        elif key in self._first and key in self._common:
            named = not determiner  # "dr bill said", not "the dr bill came"
        elif key in self._first or key in self._world or not plain:
            named = True
        else:
            named = not determiner and bool(self._verb_next.match(after))  # "dr sun said"
        if not named:
            return []
        end = start + len(key)
        last = match.group("last")
        if last and first == key and not (
            last in self._everyday
            or last in FUNCTION_WORDS
            or last in _NOT_SURNAMES
            or last in _NOT_NAMES_LOWER
            or last in _TITLE_NOUNS
            or self._verb_shaped(last)
        ):
            end = match.end("last")  # "ms. april stokes at", not "dr sun said"
        return [RecognizerResult("PERSON", start, end, 0.7)]

    def _mid_capital(self, text: str, match: re.Match[str]) -> bool:
        """Two capitalised words in mid-sentence, neither in the English dictionary nor an
        acronym, and not after an article or a place word: a full name with no cue ("the
        visiting nurse, Kateri Lente, couldn't come"); not "His Invega Sustenna", "in Sao
        Paulo". One such word alone is not enough: brand-name drugs ("my Lexapro"), Spanish
        words after "¿" and products are capitalised too (measured: see docs/SAFETY.md)."""
        word, last = match.group("first"), match.group("last")
        if not last or last.isupper():
            return False
        for part in (word, last):
            key = part.lower().removesuffix("'s")
            if key in self._english or len(key) < 3 or part.isupper() or key in _ORGANISATIONS:
                return False
        before = text[max(0, match.start() - _WINDOW) : match.start()]
        return (
            bool(before.strip())
            and before.rstrip(" \t")[-1] not in ".!?\n:;\"(-"
            and not self._determiner_before.search(before)
            and not self._place_before.search(before)
        )

    def _verb_shaped(self, word: str) -> bool:
        """A person's verb or an English word with a verb's or adverb's ending ("wants",
        "said", "prescribed", "finally"), not a surname that looks like one ("Stokes")."""
        return bool(re.fullmatch(_NAME_VERBS, word)) or word in self._english and (
            bool(re.search(r"(?:ed|ing|ly)$", word))
            or (word.endswith("s") and word[:-1] in self._everyday)
        )

    def _listed_or_foreign(self, word: str) -> bool:
        """A census name that is no everyday word, a world-list name, initials, or a capitalised
        word in no English dictionary ("Aaliyah", "Nnamdi"; not "Dementia", "Printer")."""
        key = word.lower().removesuffix("'s")
        return (
            (key in self._first and key not in self._common)
            or key in self._world
            or _initials(word)
            or (word[0].isupper() and self._unusual(word) and key not in self._english)
        )

    def _institution(self, text: str, result: RecognizerResult) -> bool:
        """A name that is part of a school's, clinic's or firm's ("Pierce Middle", "Eliot
        Community Human Services", "St. Demetrios Manor") or a saint's ("Saint Vincent", a
        hospital or a parish)."""
        words = text[result.start : result.end + 16].split()
        before = text[max(0, result.start - 8) : result.start]
        return any(w.strip(".,;:!?") in _INSTITUTION_WORDS for w in words[:3]) or bool(
            re.search(r"\b(?:Saint|St\.?|Ste\.?|San|Santa|Sao|Mount|Mt\.?|Fort|Ft\.?)\s+$", before)
        )

    def _unusual(self, word: str) -> bool:
        """A capitalised word that is no everyday, function or cue word: a name when the slot
        says so."""
        key = word.lower().removesuffix("'s")
        return not (
            key in self._everyday
            or key in _SIGN_OFF_WORDS
            or self._relation.fullmatch(key)
            or key in FUNCTION_WORDS
            or key in _NOT_SURNAMES
            or key in _TITLE_WORDS
            or key in _ORGANISATIONS
            or key in _NEVER_NAMES
            or word.isupper()
        )

    def _lower_name(self, text: str, end: int, key: str) -> bool:
        """A lower-case word after a relation ("my husband jun", "my tita baby", "my friend june
        screenshotted it") is a name if it is a census name, an unusual word that does not look
        like a verb or adverb, or any word a person's verb follows."""
        if (
            key in FUNCTION_WORDS
            or key in _NOT_NAMES_LOWER
            or (key in _NOT_SURNAMES and key not in _MONTHS)
            or self._relation.fullmatch(key)
        ):
            return False
        if (key in self._first and key not in _MONTHS) or key in self._world:
            return True
        if re.search(r"(?:ed|ing|ly)$", key) or re.search(_NOUN_ENDINGS, key) or (
            key in _TITLE_NOUNS or key in ("name", "names")
        ):
            return False  # "my husband cheated", "my mom literally", "the provider section"
        after = text[end : end + _WINDOW]
        if key not in self._everyday and key not in _MONTHS and not key.endswith("s") and (
            re.match(r"[,.;!?)]|\s*$|\s+and\b", after)
        ):
            return True  # "my brother karthik, ...": not "my patient portal from"
        return bool(self._verb_next.match(after))

    def _listed_with(self, text: str, found: list[RecognizerResult]) -> list[RecognizerResult]:
        """People named in a list with a found name: "the two kids Kevin and Vy"."""
        extra = []
        for result in found:
            initials = _initials(text[result.start : result.end])
            after_name = text[result.end : result.end + _WINDOW]
            after = self._list_after.match(after_name)
            if after and (
                self._unusual(after.group("first"))
                or (initials and _initials(after.group("first")))  # "JR and TK"
            ):
                start = result.end + after.start("first")
                end = result.end + after.end("first")
                extra.append(RecognizerResult("PERSON", start, end, 0.6))
            relation = self._relation_after.match(text[result.end : result.end + _WINDOW])
            if relation and not relation.group("first").islower() and (
                self._unusual(relation.group("first"))
                or relation.group("first").lower() in self._first
            ):  # "my stepbrother Vlad and half-sister Ilinca"
                start = result.end + relation.start("first")
                end = result.end + relation.end("first")
                extra.append(RecognizerResult("PERSON", start, end, 0.6))
            before = self._list_before.search(text[max(0, result.start - _WINDOW) : result.start])
            if before and "," in before.group() and not re.match(r",|\s+(?:and|&)\b", after_name):
                before = None  # "Boozhoo, Lane here": two words and a comma are no list
            if before and (
                self._unusual(before.group("first"))
                or (initials and _initials(before.group("first")))
            ):
                offset = max(0, result.start - _WINDOW)
                extra.append(RecognizerResult(
                    "PERSON", offset + before.start("first"), offset + before.end("first"), 0.6
                ))
        return extra

    def _elsewhere(self, text: str, found: list[RecognizerResult]) -> list[RecognizerResult]:
        """Every other mention of a name found once ("Sofiia's school" names "yelling for
        Sofiia" too). One pass over the text for all names; a plain word ("sky", "mark") counts
        only in the case it was found in, and not in a noun or verb slot ("the sky", "i hope",
        "he'll mark me absent")."""
        words = {
            word.lower()
            for result in found
            for word in re.split(r"[\s\-]+", text[result.start : result.end])
            if len(word) > 1
        } - FUNCTION_WORDS - _NEVER_NAMES - _NOT_NAMES_LOWER - _PARTICLES - _TITLE_WORDS - _MONTHS
        if not words:
            return []
        taken = {(r.start, r.end) for r in found}
        cased = {text[r.start : r.end] for r in found}
        alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        extra = []
        for match in re.finditer(rf"(?i)(?<![\w'\-])(?:{alternation})(?![\w\-])", text):
            if (match.start(), match.end()) in taken:
                continue
            if match.group().lower() in self._everyday and (
                not any(match.group() in name.split() for name in cased)  # "Mark" not "mark it"
                or self._word_slot_before.search(text[max(0, match.start() - 20) : match.start()])
            ):
                continue
            extra.append(RecognizerResult("PERSON", match.start(), match.end(), 0.6))
        return extra

    def _unlisted_name_in_context(self, text: str, match: re.Match[str]) -> bool:
        word = match.group("first").lower().removesuffix("'s")
        if (
            word in self._everyday
            or word in _NOT_SURNAMES
            or word in _TITLE_WORDS
            or word in _ORGANISATIONS
            or word.upper() == match.group("first")  # acronyms: "PHQ", "BCBS"
            or re.search(_NOUN_ENDINGS, word)  # "Presentation went well", "Surgery went fine"
        ):
            return False
        start, end = match.span("first")
        return bool(
            self._strong_before.search(text[max(0, start - _WINDOW) : start])
            or self._strong_after.match(text[end : end + _WINDOW])
        )

    def _word_name_in_context(self, text: str, match: re.Match[str]) -> bool:
        """A name that is also a word ("Hope", "Will", "May") counts only with a name context."""
        start, end = match.span("first")
        # Bounded windows: context is a few words, and whole-text slices would be quadratic.
        before, after = text[max(0, start - _WINDOW) : start], text[end : end + _WINDOW]
        sentence_start = not before.strip() or before.rstrip(" \t")[-1] in ".!?\n:"
        word = match.group("first").lower()
        if word in _MONTHS and (
            re.match(r"\s*\d", after)
            or re.search(r"(?i:\b(?:in|on|of|for|since|until|by|last|next|this|early|late|not|"
                         r"before|after|till|til|through|every|each|mid))\s+$", before)
            or re.search(rf"(?i:\b(?:{'|'.join(_MONTHS)})),?\s+(?:and|or|to|through|&|-)?\s*$",
                         before)  # "April and May"
        ):
            return False  # "May 5", "in May", "a receipt for May"
        if word == "eve" and re.search(r"(?i:christmas|new year'?s)\s+$", before):
            return False
        if match.group("last") and match.group("last").lower() not in _NOT_SURNAMES:
            return True  # "Hope Martinez"
        if (
            self._verb_after.match(after)
            or self._prep_before.search(before)
            or self._from_place.match(after)  # "Bill from accounting filed a complaint"
        ):
            return True
        if sentence_start:
            return False  # "Hope you are well", "Will you call me"
        return word != "will"  # a capitalised mid-sentence word is a name, except the modal

    def _lower_surname(self, text: str, end: int) -> int | None:
        """The end of a lower-case surname after a lower-case given name ("my supervisor dale
        thibodeaux", dictated): a word of three letters or more that is no English or everyday
        word, function word or verb form; else None ("my boss dale said")."""
        match = _LOWER_WORD_AFTER.match(text, end)
        if not match:
            return None
        word = match.group(1).removesuffix("'s")
        end = match.start(1) + len(word)
        if (
            word in self._everyday
            or word in FUNCTION_WORDS
            or word in _NOT_SURNAMES
            or word in _NOT_NAMES_LOWER
            or re.search(r"(?:ed|ing|ly)$", word)
        ):
            return None
        if word in self._english and not (  # "carlson", "pali" are in the dictionary too
            self._verb_next.match(text[end : end + _WINDOW])
            or re.match(r"[,.;!?)]|\s*$", text[end : end + 2])
        ):
            return None
        return end

    def _result(self, match: re.Match[str], text: str, score: float) -> RecognizerResult:
        start = match.start("first")
        end = match.end("first")
        groups = match.groupdict()
        for group in ("last", "last2"):
            if not groups.get(group) or groups[group].lower().removesuffix("'s") in _NOT_SURNAMES:
                break
            end = match.end(group)
        if text[start:end].islower():
            end = self._lower_surname(text, end) or end
        if text[start:end].endswith("'s"):
            end -= 2
        return RecognizerResult("PERSON", start, end, score)


_LOWER_WORD_AFTER = re.compile(r"[ \t]+([a-z][a-z'\-]{2,30})\b")

_MONTH_NAMES = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|enero|febrero|marzo|abril|mayo|"
    r"junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|janeiro|fevereiro|"
    r"marco|maio|junho|julho|setembro|outubro|novembro|dezembro)\.?"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_NUMBER_SUFFIX = r"(?: number| no\.?| #)?"
# Words that announce an identifier: "member ID W442...", "policy number PN-88...".
_ID_CUES = "|".join(
    [
        rf"mrn|medical record{_NUMBER_SUFFIX}|record(?: number| no\.?| #)|chart(?: number| #)?",
        rf"member(?: id)?{_NUMBER_SUFFIX}|policy{_NUMBER_SUFFIX}|group(?: number| no\.?| #)",
        rf"insurance id|subscriber id|account{_NUMBER_SUFFIX}|acct\.?(?: #)?|card{_NUMBER_SUFFIX}",
        rf"(?:driver'?s )?licen[cs]e{_NUMBER_SUFFIX}|plate(?: number)?|vin",
        rf"passport{_NUMBER_SUFFIX}",
        r"medicaid(?: id| number)?|medicare(?: id| number)?|claim(?: number| #)?",
        rf"case(?: number| #)|serial(?: number)?|device id|id{_NUMBER_SUFFIX}|number",
        rf"rx{_NUMBER_SUFFIX}|prescription{_NUMBER_SUFFIX}|employee(?: id)?{_NUMBER_SUFFIX}",
        rf"student(?: id)?{_NUMBER_SUFFIX}|group(?: id)?|order{_NUMBER_SUFFIX}|docket",
        rf"confirmation{_NUMBER_SUFFIX}|reference{_NUMBER_SUFFIX}|ref|authori[sz]ation|npi",
        rf"(?:police |incident )?report{_NUMBER_SUFFIX}|incident{_NUMBER_SUFFIX}",
        r"numero|num|no\.|n[o°]\.?|expediente|poliza|carnet|matricula|seguro social|badge",
        rf"(?:tribal )?enrol?lment{_NUMBER_SUFFIX}|tribal (?:id|card){_NUMBER_SUFFIX}",
        rf"cdl{_NUMBER_SUFFIX}|index{_NUMBER_SUFFIX}|grievance{_NUMBER_SUFFIX}",
    ]
)
_STREET_TYPES = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Way|"
    r"Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Route|Rte|Trail|Trl|Square|Sq|Loop|Pike"
)


# US state and territory codes, for a town written before one and a ZIP.
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    "NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|PR|GU|VI"
)


# The town after a box or route ("PO Box 118, Tuba City").
_TOWN_AFTER = r"(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?(?![\w']))?"


# Street types that are never a title or a common word, for a street named without its number.
_NAMED_STREET_TYPES = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Terrace|Parkway|Pkwy|Highway|Hwy"
)


# A word of a dictated email's local part: not a cue ("my email is") or a function word.
_SPOKEN_LOCAL = (
    r"(?!(?:is|at|my|me|to|the|her|his|their|our|your|email|e-mail|mail|address|new|old|use|"
    r"and|or|it's|its|it|was|send|write|reach|contact|dot)\b)[a-z0-9][a-z0-9']{0,30}"
)
_SPOKEN_TLDS = "com|net|org|gov|edu|us|io|co|me|info|biz|ca|uk"


class SpokenEmailRecognizer(RegexRecognizer):
    """An email dictated in words: "ayesha dot s dot work at outlook dot com", "j smith
    underscore 2 at gmail dot com": up to five words before "at" that are no cue or function
    word. Read only in a text that says "dot" (the pattern is tried at every word)."""

    def __init__(self) -> None:
        super().__init__(
            "EMAIL",
            [(rf"\b(?:{_SPOKEN_LOCAL}(?:\s+(?:dot|period|underscore|dash|hyphen|plus)\s+|\s+))"
              rf"{{0,4}}{_SPOKEN_LOCAL}\s+at\s+[a-z0-9\-]{{1,63}}(?:\s+dot\s+[a-z0-9\-]{{1,63}})"
              rf"{{0,4}}\s+dot\s+(?:{_SPOKEN_TLDS})\b", 0.9)],
            re.IGNORECASE,
        )
        self.name = "spoken_email_regex"

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if not _SAYS_DOT.search(text):
            return []
        return super().analyze(text, entities, nlp_artifacts)


_SAYS_DOT = re.compile(r"(?i)\sdot\s")


def _pattern_recognizers() -> list[EntityRecognizer]:
    ci = re.IGNORECASE
    return [
        # Lookbehinds pin each match to the start of a run and bounds cap its length, so a long
        # run of "a.a.a." or "1-1-1-" costs linear, not quadratic, time.
        RegexRecognizer(
            "EMAIL",
            [(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9.\-]{1,255}\.[A-Za-z]{2,24}"
              r"\b", 1.0)],
        ),
        SpokenEmailRecognizer(),
        RegexRecognizer(
            "URL",
            [
                (r"\b(?:https?://|www\.)[^\s<>\"']+", 0.9),
                (
                    r"(?<![@\w.\-])(?:[a-z0-9\-]{1,63}\.){1,8}(?:com|org|net|edu|gov|io|co|us|me|info|biz|"
                    r"health|app|ly|tv|ca|uk|link|site)\b(?:/[^\s<>\"']*)?",
                    0.7,
                ),
            ],
            ci,
        ),
        RegexRecognizer(
            "PHONE",
            [
                (r"(?<![\w\-])(?:\+?1[\s.\-]?)?(?:\(\d{3}\)\s?\d{3}[\s.\-]?|\d{3}[\s.\-]\d{3}"
                 r"[\s.\-])\d{4}(?:\s*,?\s*(?:x|ext|extension|ext\.|ext\.?\s*#|poste|ramal|extensao|"
                 r"extension|anexo)\s*\d{1,5})?"
                 r"(?![\w\-])", 0.9),
                (r"(?<![\w\-])\+\d{1,3}[\s.\-]?\(?\d{1,4}\)?(?:[\s.\-]?\d{2,4}){2,4}"
                 r"(?![\w\-])", 0.8),
                (r"(?<![\w\-$])\d{10}(?![\w\-])", 0.6),
                (r"(?<![\w\-$/:.])\d{3}[\-.]\d{4}(?![\w\-])", 0.6),
            ],
            ci,
        ),
        RegexRecognizer(
            "SSN",
            [
                (r"(?<![\w\-])\d{3}[\- ]\d{2}[\- ]\d{4}(?![\w\-])", 0.9),
                (r"\b(?:ssn|social security(?: number| no\.?| #)?)\s*(?:is|:|#)?\s*"
                 r"(?P<phi>\d{9}|\d{3}[\- ]?\d{2}[\- ]?\d{4})\b", 1.0),
            ],
            ci,
        ),
        RegexRecognizer(
            "DATE",
            [
                # Full dates with a year: 03/14/1988, 3-14-88, 1988-03-14, March 14, 1988.
                (r"(?<![\w/])\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?![\w/])", 0.8),
                (rf"(?<![\w\-])\b{_YEAR}-\d{{1,2}}-\d{{1,2}}\b", 0.8),
                (rf"\b{_MONTH_NAMES}\s+{_DAY},?\s+{_YEAR}\b", 0.8),
                (rf"\b{_DAY}\s+(?:of\s+|de\s+)?{_MONTH_NAMES},?\s+(?:de\s+|del\s+)?{_YEAR}\b",
                 0.8),
                # Birthdays, deaths, admissions and discharges without a year, anchored on a cue.
                (rf"\b(?:born|birthday|date of birth|dob|b-day|bday|died|passed away|date of "
                 rf"death|admitted|discharged|naci[oa]?|nacimiento|cumpleanos|fallecio|murio|"
                 rf"nasceu|nasci|aniversario)\b[^.\n]{{0,20}}?"
                 rf"(?P<phi>{_MONTH_NAMES}\s+{_DAY}(?:,?\s+{_YEAR})?|[a-z]+\s+{_DAY},?\s+{_YEAR}"
                 rf"|{_DAY}\s+(?:of\s+)?"
                 rf"{_MONTH_NAMES}|\d{{1,2}}[/.\-]\d{{1,2}}(?:[/.\-]\d{{2,4}})?)", 0.9),
            ],
            ci,
        ),
        RegexRecognizer(
            "ADDRESS",
            [
                (rf"\b\d{{1,6}}\s+(?:[A-Za-z0-9][\w'.\-]*\s+){{1,4}}(?:{_STREET_TYPES})\b\.?"
                 # "1840 County Road 12", "2204 Coal Ave SE"
                 r"(?:(?:(?<=Road)|(?<=Route)|(?<=Highway)|(?<=Hwy)|(?<=Rte)|(?<=Rd))\s+\d{1,5}"
                 r"[A-Z]?\b)?"
                 r"(?:\s+(?:NE|NW|SE|SW|N|S|E|W)\b\.?)?"
                 r"(?:,?\s*(?:Apt|Apartment|Unit|Suite|Ste|#)\.?\s*[\w\-]+)?"
                 r"(?:,\s*[A-Z][a-zA-Z]+(?:\s[A-Z][a-zA-Z]+){0,2})?"
                 r"(?:,?\s+[A-Z]{2})?(?:\s+\d{5}(?:-\d{4})?)?", 0.85),
                # PO boxes, rural routes and highway contracts, numbered county and state roads
                # with a mile marker: addresses with no street word ("P.O. Box 118", "PO Bx 9",
                # "HC 61 Box 2240", "RR 2 Box 14", "Rural Route 3", "County Road 12", "State
                # Route 9 mile marker 4").
                (r"(?:(?i:\b(?:P\.?\s?O\.?\s*|Post Office\s+)(?:Box|Bx)\.?\s*#?\s*\d{1,6}\b)"
                 r"|\bPOB\s*#?\s*\d{1,6}\b)" + _TOWN_AFTER, 0.85),
                # (The short forms only with their box: "RR 16" is also a respiratory rate.)
                (r"(?i:\b(?:Rural\s+Route|Highway\s+Contract|Star\s+Route|Rural\s+Delivery)\s*#?\s*"
                 r"\d{1,4}\b(?:,?\s*(?:Box|Bx)\.?\s*#?\s*\d{1,6}\b)?"
                 r"|\b(?:H\.?C\.?|R\.?R\.?|RFD)\s*#?\s*\d{1,4},?\s*(?:Box|Bx)\.?\s*#?\s*\d{1,6}\b)"
                 + _TOWN_AFTER, 0.85),
                (r"(?i:\b(?:County|State|Township|Farm\s+to\s+Market|Forest\s+Service)\s+"
                 r"(?:Road|Rd|Route|Rte|Highway|Hwy)\.?\s*#?\s*\d{1,5}[a-z]?\b"
                 r"(?:,?\s*(?:(?:at|near|by)\s+)?(?:mile\s*marker|mile|mm)\s*\d{1,4}"
                 r"(?:\.\d)?\b)?)", 0.8),
                # A unit or lot on its own line ("Lot 14", "Bldg 3, Unit 2B").
                (r"(?m:^[ \t]*(?:(?:Apt|Unit|Suite|Ste|Lot|Trlr|Trailer|Bldg|Building|Space|Spc)"
                 r"\.?\s*#?\s*[A-Z]?\d{1,5}[A-Z]?(?:,\s*|\s+)?){1,2}[ \t]*$)", 0.7),
                (r"\b(?:Lot|Trlr|Bldg)\s*#?\s*\d{1,5}[A-Z]?\b", 0.7),
                # The town before a state and ZIP ("Kayenta, AZ 86033", "Albuquerque NM 87106").
                (rf"\b(?P<phi>[A-Z][a-z]+(?:[ \-][A-Z][a-z]+){{0,2}}),?\s+(?:{_STATES})\s+\d{{5}}"
                 r"(?:-\d{4})?\b", 0.8),
                # A street named without its number, and the town after it ("on Fulton St in
                # Malden"); a unit on its own ("depto 3B"); Spanish/Portuguese order ("Calle
                # Loiza 1850").
                (rf"\b(?:[A-Z][\w'.\-]*\s+){{1,3}}(?:{_NAMED_STREET_TYPES})\b\.?"
                 r"(?:(?:,\s*|\s+in\s+)[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?", 0.7),
                # ("unit" and "suite" alone are too often a workbook's: "I finished unit 3".)
                (r"(?i:\b(?:apt|apartment|depto|dpto|departamento|apto|apartamento)"
                 r"\.?\s*#?\s*[a-z]?\d{1,5}[a-z]?\b)", 0.7),
                (r"\b(?:Calle|Avenida|Av\.|Rua|Travessa|Carrera|Camino|Paseo)\s+"
                 r"(?:(?:[A-Z0-9][\w'.\-]*|de|del|da|das|do|dos|la|las|los)\s+){0,4}#?\d{1,6}"
                 r"[A-Za-z]?\b", 0.85),
                (r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b", 0.7),
                # Where drivers and fishers live and get mail: a numbered route with no street
                # name ("2100 Route 9"), a Wisconsin grid address ("W175 N11117 Stonewood Dr"),
                # a named marina, harbor office or truck stop with its slip or dock ("Pope's
                # Island Marina, Slip D-14", "Harbor Office"), a number and one-word street
                # with its suite ("150 Broadway, Suite 1210"), a town and ZIP after a comma
                # with no state (", New Bedford 02740"), a Canadian postal code ("L4V 1E4").
                (r"\b\d{1,6}\s+(?:Route|Rte|Highway|Hwy|Road|Rd)\s+\d{1,4}[A-Z]?\b", 0.8),
                (rf"\b[NSEW]\d{{1,4}}\s?[NSEW]\d{{1,6}}\s+(?:[A-Z][\w'.\-]*\s+){{1,3}}"
                 rf"(?:{_STREET_TYPES})\b\.?", 0.85),
                (r"(?:\b(?:[A-Z][\w'\-]*\s+){1,3}(?:Marina|Truck Plaza|Truck Stop|Travel Plaza|"
                 r"Travel Center|Boat Harbor|Boat Basin)|\bHarbou?r Office)\b"
                 r"(?:,?\s*(?:Slip|Dock|Berth|Pier)\s*#?\s*[A-Z]?-?\d{1,4}[A-Z]?\b)?", 0.75),
                (r"(?i:\b(?:[a-z]\s+)?(?:slip|dock|berth)\s*#?\s*[a-z]?-?\d{1,4}[a-z]?\b)", 0.7),
                (r"\b\d{1,6}\s+[A-Z][a-z]+,?\s+(?:Suite|Ste|Unit|Apt|Floor|Fl)\.?\s*#?\s*"
                 r"\d{1,5}[A-Z]?\b", 0.8),
                (r"(?<=, )[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s\d{5}(?!\d)", 0.7),
                (r"\b[A-CEGHJ-NPR-TVXY]\d[A-CEGHJ-NPR-TV-Z]\s?\d[A-CEGHJ-NPR-TV-Z]\d\b", 0.8),
                (r"\b(?:zip(?: code)?|zipcode)\s*(?:is|:)?\s*(?P<phi>\d{5}(?:-\d{4})?)\b", 0.9),
            ],
        ),
        RegexRecognizer(
            "ID",
            [
                # "license number, it's B530-...", "numero de Medicaid es MA-...": a few filler
                # words may sit between the cue and the id.
                (rf"\b(?:{_ID_CUES})(?:[\s:#=,]*\b(?:is|was|es|it's|its|it is|de|number|no\.?)\b)?"
                 r"[\s:#=,]*(?P<phi>(?=[A-Z0-9\-]*\d)[A-Z0-9][A-Z0-9\-]{3,}(?:\s\d{1,6}\b)*"
                 r"(?:/\d{2,4}\b)?)\b", 0.85),
                # A plate or badge in two groups, letters first ("DRV 2291", "Z3K 417", "TSA
                # 0078124").
                (r"\b(?:plate|tag|badge)(?:\s+(?:number|no\.?|#))?(?:\s+(?:is|was))?[\s:#]*"
                 r"(?P<phi>[A-Z0-9]{2,4}[\s\-]\d{3,8})\b", 0.85),
                # An id-shaped token with no cue: letters and at least five digits ("MA-7713920",
                # "W2849917302"), or a bare run of 7-9 or 11+ digits (10 is a phone).
                (r"(?<![\w\-])(?=[A-Z0-9\-]*[A-Z])(?=(?:[A-Z\-]*\d){5})[A-Z0-9]+(?:-[A-Z0-9]+){0,4}"
                 r"(?![\w\-])", 0.6),
                (r"(?<![\w\-.,$/])(?:\d{7,9}|\d{11,20})(?![\w\-])", 0.6),
                # Brazilian CPF and the like: dotted digit groups with a check suffix.
                (r"(?<![\w.\-])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\w\-])", 0.8),
            ],
            ci,
        ),
        RegexRecognizer(
            "IP", [(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)"
                    r"(?!\d|\.\d)", 0.8),
                   # IPv6, full or with "::" ("2601:282:1d80:5a0::3e"); not a time ("10:30").
                   (r"(?<![\w:])(?=[0-9a-f:]*[a-f\d]{3})(?:[0-9a-f]{1,4}:){2,7}:?"
                    r"(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?(?![\w:])", 0.8)],
            re.IGNORECASE,
        ),
        RegexRecognizer(
            "AGE",
            [(r"\b(?P<phi>(?:9\d|1[01]\d))(?:\s*|-)(?:years?[\s\-]old|yrs?[\s\-]old|yo|y/o)\b",
              0.9),
             (r"\b(?P<phi>9\d|1[01]\d)\s+(?:anos|ans)\b", 0.9),
             (r"\b(?:aged?|turn(?:ed|ing|s)?|be|is|she's|he's|she is|he is|she was|he was|i am|"
              r"i'm|im|tiene|tengo)"
              r"\s+(?P<phi>9\d|1[01]\d)\b"
              r"(?!\s*(?:%|percent|dollars|minutes|mins|[ap]\.?m\b|:))", 0.8)],
            ci,
        ),
        CreditCardRecognizer(supported_entity="CARD"),
        PersonRecognizer(),
    ]


@lru_cache(maxsize=1)
def analyzer() -> AnalyzerEngine:
    """The process-wide Presidio engine: offline NLP engine, our recognizers only."""
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in _pattern_recognizers():
        registry.add_recognizer(recognizer)
    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])
