# ruff: noqa: E501 - regex tables read best one pattern per line
"""The curated risk lexicon of the crisis screen: regex families per category, idiom masks, negation.

Patterns run on a normalised copy of the message (lower case, accents and curly quotes folded,
letter runs squeezed) whose characters map back to the original, so evidence spans point into the
text the clinician reads. Families are written for how clients actually write: texting
abbreviations, common misspellings, slang and euphemism, third-party reports and Spanish. Recall
comes first; idioms ("this copay is killing me") are masked out before matching instead of being
special-cased inside risk patterns, so one idiom list protects every family.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

Severity = Literal["imminent", "high", "elevated"]
SEVERITY_RANK: dict[str, int] = {"elevated": 1, "high": 2, "imminent": 3}

# ---- building blocks (regex fragments on normalised text) ------------------------------------
SUBJECT_I = r"(?:i|ive|i've|im|i'm|i am|i'd|id|i'll|ill|i was|i have|i just|i really|i kinda|i kind of|i sort of)"
MYSELF = r"(?:my ?self|myslef|myslf|mysef|meself|myselfe|mi self)"
KILL = r"(?:kill+|kil|kiill|kiling|killing|killed|murder)"
SUICIDE = (
    r"(?:suicid\w*|sucid\w*|suiced\w*|suiside\w*|suicde\w*|suicd\w*|sewer ?slide|self[- ]?delet\w*)"
)
WANT = r"(?:want(?:ed|s)?(?: to| 2)?|wanna|wana|wnt to|wish(?:ed)? (?:i could|to)|would like to|need to|just want to|going to|gonna|gona|plan(?:ning)? to|thinking (?:about|of)|think(?:ing)? abt|thought about|ready to|about to|trying to)"
PILLS = (
    r"(?:pills?|meds|medications?|medicine|tablets|tylenol|advil|ibuprofen|acetaminophen|"
    r"paracetamol|aspirin|sleeping pills|xanax|ativan|klonopin|valium|benadryl|seroquel|lithium|"
    r"sertraline|zoloft|prozac|fluoxetine|lexapro|wellbutrin|trazodone|ambien|oxy\w*|percocet|"
    r"vicodin|fentanyl|heroin|insulin|pastillas)"
)
FAMILY = (
    r"(?:son|daughter|kid|kids|child|children|baby|babies|toddler|teen|teenager|boy|girl|"
    r"grandson|granddaughter|niece|nephew|stepson|stepdaughter|little one|infant|newborn|"
    r"brother|sister|student|students|hijo|hija|nino|nina|bebe)"
)
PARTNER = (
    r"(?:husband|wife|boyfriend|girlfriend|partner|bf|gf|ex|ex-husband|ex-wife|ex-boyfriend|dad|"
    r"father|stepdad|stepfather|mom|mother|stepmom|brother|sister|roommate|uncle|boss|landlord|"
    r"esposo|marido|novio|pareja|padre|papa)"
)
THIRD = r"(?:he|she|they|he's|she's|hes|shes|they're|my \w+|our \w+)"
REFLEX3 = r"(?:himself|herself|themselves|themself|hisself)"
TIME_NOW = r"(?:tonight|tonite|2nite|right now|rn|today|this (?:evening|afternoon|weekend)|in an hour|esta noche|ahora mismo|ahorita|hoy)"


# A goodbye with an ordinary reason in the same sentence ("my last session, I'm moving") is routine.
ORDINARY_GOODBYE = (
    r"\b(?:moving|move|moved|relocat\w*|vacation|holiday|holidays|trip|travel\w*|graduat\w*|insurance|"
    r"afford|cheaper|cost|refer|referral|new (?:therapist|clinic|job|provider)|another (?:therapist|clinic|provider)|"
    r"met my goals|doing (?:so much |much |a lot )?better|feel(?:ing)? (?:so much |much |a lot )?better|"
    r"see you|couch|bookshelf|furniture|donat\w*|yard sale|garage sale|summer break|semester|"
    r"allerg\w*|landlord|no pets|pet deposit)\b"
)


# Round 4 building blocks: plural dependents, street drug names, body alarm, an impaired carer,
# and ordinary reasons to miss or end appointments (wider than ORDINARY_GOODBYE).
FAMILY_ANY = (
    rf"(?:{FAMILY}|boys|girls|sons|daughters|grandkids|grandchildren|stepkids|hijos|hijas|ninos|"
    r"ninas|bebes|kiddos|little ones|filhos|filhas|criancas)"
)
STREET_DRUGS = (
    r"(?:bars|xans?|xanax|zans|lean|sizzurp|percs?|percocets?|molly|mdma|ecstasy|coke|cocaine|"
    r"crack|meth|fent\w*|fetty|benzos?|kpins?|klonopin|shrooms|acid|lsd|ket|ketamine|dope|heroin|"
    r"oxys?|oxy\w*|addy|adderall|carts?|dabs|tranq|xylazine)"
)
BODY_ALARM = (
    r"(?:heart(?:'?s)?\b.{0,15}\b(?:racing|pounding|crazy|weird|skipping|so fast|beating fast|jumping|doin|"
    r"doing|going nuts|stopping|hurts)|chest (?:pain|hurts|is tight|feels tight|tight)|can'?t breathe|"
    r"cant breathe|hard to breathe|struggling to breathe|breathing (?:is |feels )?(?:really |so |very )?"
    r"(?:weird|slow|shallow|funny)|"
    r"passing out|about to pass out|blacking out|seizing|twitching|shaking (?:bad|so bad|like crazy|"
    r"uncontrollably)|lips (?:are )?(?:blue|purple)|can'?t feel my|sweat\w* (?:buckets|like crazy|so "
    r"much|a lot|bullets)|throwing up (?:blood|nonstop)|vomit\w* blood|can'?t stay awake|(?:everything|"
    r"the room) (?:is )?(?:spinning|tilting)|overheating|burning up|tongue (?:feels |is )?(?:thick|numb|"
    r"swollen)|(?:feel|feeling|i'?m) (?:really |so |very |super )?(?:weird|strange|off|funny|wrong|"
    r"dizzy|woozy|out of it)|no puedo respirar|me falta el aire)"
)
IMPAIRED = (
    r"(?:too (?:high|drunk|wasted|messed up|fucked up|out of it|stoned)|(?:high|drunk|wasted) (?:to|and "
    r"(?:can'?t|cant)) drive|can'?t (?:drive|get) (?:back|home|to them)|no puedo (?:manejar|conducir|"
    r"volver)|passed out drunk)"
)
ORDINARY_ABSENCE = (
    ORDINARY_GOODBYE[:-3]
    + r"|switching (?:to|therapists|providers|clinics|practices)|transferring (?:to|my care)|discharg\w*|out of town|conference|wedding|surgery|work trip|"
    r"business|visiting|passed|(?:before|until|till) (?:my|the|our|christmas|summer|vacation|\w+day|next)|"
    r"of the (?:year|month|semester)|me mudo|mudanza|mudar|alergi\w*|viaje(?! largo| muy largo| sin regreso)|potluck|party|secret santa|"
    r"gift exchange|chores|shifts|carpool|estate|inheritance|passed away|died|funeral|birthday|"
    r"graduation|christmas|gift|present)\b"
)
ORDINARY_ABSENCE_RE = re.compile(ORDINARY_ABSENCE)
# Round 9: a Spanish cut or burn told with the kitchen task that caused it ("me corté con el
# cuchillo picando cebolla") is an accident, not self-harm.
KITCHEN_CUT = (
    r"(?![^.?!]{0,40}\b(?:picando|cocinando|pelando|cortando (?:la|el|las|los)|en la cocina|"
    r"con el abrelatas|afeitando\w*|con la (?:estufa|plancha|sarten|olla)|en el horno|haciendo (?:de comer|la comida|tortillas))\b)"
)


@dataclass(frozen=True)
class Rule:
    """One lexicon family: a pattern, the category it signals and the severity it implies.

    `negatable` says a preceding negation ("I'd never hurt myself") may cancel the hit; rules
    whose meaning already contains a negation ("don't want to live") are never negatable.
    `reported` rules describe someone else ("my daughter ... suicidal"), so a negation inside the
    match counts too ("my daughter is not suicidal").
    """

    category: str
    severity: Severity
    pattern: re.Pattern[str]
    negatable: bool = True
    unless: re.Pattern[str] | None = None
    reported: bool = False


def _rules(
    category: str,
    severity: Severity,
    *patterns: str,
    negatable: bool = True,
    unless: str | None = None,
    reported: bool = False,
) -> list[Rule]:
    """Rules of one family; `unless` names an ordinary reason that cancels a hit in its sentence."""
    guard = re.compile(unless) if unless else None
    return [Rule(category, severity, re.compile(p), negatable, guard, reported) for p in patterns]


RULES: list[Rule] = [
    # --- suicidal ideation: active (high) --------------------------------------------------
    *_rules(
        "suicidal_ideation",
        "high",
        rf"\b{KILL} ?{MYSELF}\b",
        r"\b(?:want|wish|wanna|need|praying|pray|hope) (?:someone|somebody|something|god|a car|a bus|a truck|it) (?:to |would |will |could )?(?:kill me|hit me|end me|take me)\b",
        r"\bcheck(?:ing)? out (?:soon|for good|permanently|early|of life|of this life)\b(?! (?:today|tomorrow|from|for|at|on|this|of (?:the|my) (?:hotel|room|work)))",
        r"\bkms+\b|\bk\.m\.s\b|\bctb\b",
        r"\b(?:end|ending|take|taking|tak) (?:my|mi) (?:own )?life\b",
        r"\b(?:end|ending|end(?:ed)?) (?:it|it all|things|everything|myself)\b(?! (?:with|off|early|there|here|now with|on))",
        r"\bun-?aliv\w*",
        r"\b(?:off|offing) myself\b",
        rf"\b{SUICIDE}",
        r"\b(?:want|wanna|wana|wanted|wish|wishing|wnt|ready|going|gonna) (?:to |2 )?(?:die|dye|be dead|just die|disappear forever)\b",
        r"\b(?:want|wanna|wana|wish|wishing) (?:to )?(?:go to sleep|sleep) (?:and|n) (?:never|not) wake\b",
        r"\bwish(?:ing)? (?:i|id|i'd) (?:was|were|could be|had been) dead\b",
        r"\b(?:rather|prefer to|prefer|sooner) (?:be )?(?:dead|die)\b",
        r"\bwish(?:ing)? (?:i|id) (?:was|were|had) never (?:been )?born\b",
        r"\bwish(?:ing)? (?:i|id|i'd) (?:could )?(?:just )?(?:die|disappear|not exist|stop existing|stop breathing)\b",
        r"\b(?:thoughts?|thinking|think|thought) (?:of|about|abt) (?:death|dying|killing myself|ending (?:it|my life|things)|not being here|being dead)\b",
        r"\bdark thoughts\b|\bintrusive thoughts about (?:dying|death)\b",
        r"\b(?:hang|hanging|shoot|shooting|drown|drowning|poison|poisoning|stab|stabbing|cut) myself\b(?! (?:a|some|off|short|free|out))",
        r"\bjump(?:ing)? (?:off|from) (?:a|the|my) (?:bridge|building|roof|balcony|cliff|overpass|parking garage)\b",
        r"\b(?:step|walk|jump)(?:ping|ing)? in front of (?:a|the) (?:train|bus|truck|car)\b",
        r"\b(?:drive|crash|driving|crashing) (?:my car )?(?:into|off) (?:a|the) (?:wall|tree|bridge|cliff|river|lake|pole)\b",
        r"\bme quiero (?:morir|matar)\b|\bquiero (?:morir\w*|matarme|desaparecer)\b|\bmatarme\b|\bsuicidarme\b",
        r"\bquitarme la vida\b|\bacabar con (?:todo|mi vida)\b|\bno quiero (?:vivir|seguir viviendo|despertar)\b",
        r"\bganas de (?:morir|morirme|matarme|desaparecer)\b|\bmejor (?:muerto|muerta)\b",
        r"\b(?:se|te|nos) (?:quiere|quieren|queria) (?:matar|morir|suicidar)\b|\bquiere (?:matarse|morirse|suicidarse|morir)\b|\bse (?:va a|piensa) (?:matar|suicidar)\b",
        r"\b(?:no le |ya no le )?(?:veo|encuentro|tiene) (?:ningun )?sentido (?:a|la) (?:la vida|seguir|vivir|mi vida)\b|\bmi vida no tiene sentido\b",
    ),
    # --- suicidal ideation: passive / veiled (elevated) -------------------------------------
    *_rules(
        "suicidal_ideation",
        "elevated",
        r"\b(?:dont|don't|do not|didn't|didnt|dnt|no longer|dont really|don't really) (?:want|wanna|wish) (?:to )?(?:live|be alive|exist|be here|wake up|go on|keep going|be around|keep living)\b",
        r"\bnot (?:want|wanting) to (?:live|be alive|exist|wake up|be here)\b",
        r"\b(?:not|no) (?:be|being) (?:here|around|alive) (?:any ?more|anymore|much longer|for (?:much )?longer|by then|next)",
        r"\b(?:won'?t|wont|will not|wouldn't|wouldnt|might not|may not|probably won'?t|not going to|not gonna) (?:be|still be) (?:here|around|alive)\b(?! (?:next|this|on|until|till|for (?:a|the|two|three|\d)|tomorrow|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday|in (?:the|a)|at (?:the|work)|during|over the|that (?:day|week)))",
        r"\b(?:not sure|don'?t know|dont know|doubt|unsure) (?:if |whether |that )?(?:i'?ll|ill|i will|i'd|id|i) (?:still )?(?:be )?(?:here|around|alive|make it)\b",
        r"\bif i'?m (?:still )?(?:here|around|alive)\b",
        r"\b(?:no|zero|not any|not a|dont see a|don't see a|don't see any|dont see any|cant see a|can't see a|can't see any|cant see any) (?:reason|point|purpose) (?:to|in|of) (?:live|living|go on|going on|keep going|be alive|being alive|being here|continue|continuing|try|trying|anything|any of this)\b",
        r"\b(?:what'?s|whats) the point (?:of|in) (?:living|life|going on|anything|being alive|trying)\b",
        r"\b(?:what'?s|whats) even the point\b|\bno point (?:any ?more|anymore|in anything)\b|\bnothing to live for\b",
        r"\b(?:better off|happier|easier) (?:without me|w/o me|w/out me|wo me|if i (?:was|were|wasn'?t|weren'?t) (?:gone|dead|here|around)|dead|if i died)\b",
        r"\b(?:i'?m|im|i am|i feel like|feel like) (?:such )?a burden\b|\bburden (?:on|to) (?:everyone|my family|everybody|them)\b",
        r"\b(?:can'?t|cant|cannot|can not|couldn'?t) (?:go on|keep going|do this|take (?:it|this)|handle (?:it|this|life)|live like this|keep living)(?: (?:any ?more|anymore|much longer))\b",
        r"\b(?:can'?t|cant|cannot) (?:go on|keep going|live like this)\b",
        r"\b(?:nobody|no one|noone|no1)\b.{0,20}\b(?:notice|miss me|care|cares|even know)\b.{0,20}\bif i (?:was|were|am|died|disappeared|left|vanished)\b",
        r"\b(?:don'?t|dont|can'?t|cant|cannot) (?:see|picture|imagine) myself (?:being )?(?:around|here|alive|living)\b",
        r"\bfeel (?:for|to) die\b|\b(?:cannot|can'?t|cant) to (?:continue|live|go on)\b|\bthinking to (?:die|finish my life|kill)\b",
        r"\b(?:would|'d|will|might) be (?:simpler|easier|better|lighter|calmer) (?:for (?:everyone|everybody|them|my family|you all) )?if i (?:just )?(?:stopped|was gone|were gone|wasn'?t here|weren'?t here|died|disappeared|ended it|left for good|never existed)\b",
        r"\b(?:i'?m|im|i am) (?:so )?done\b.{0,30}\b(?:for good|forever|with (?:it all|all of it|everything|life|living|this world|being alive))\b",
        r"\bno quiero (?:estar|seguir) (?:en este mundo|aqui|viva|vivo|mas)\b|\b(?:prefiero|preferiria) (?:estar )?(?:muerto|muerta|morir)\b",
        r"\b(?:don'?t|dont|do not) (?:think|feel like|see|know if) (?:there'?s|theres|there is) (?:any|a|much) (?:point|reason|use)\b",
        r"\b(?:isn'?t|is not|isnt|no|not any|not) (?:any )?point (?:any ?more|anymore|to anything|in anything|in trying|in going on)\b",
        r"\b(?:voices?|they|god|it) (?:\w+ ){0,3}(?:saying|say|says|said|tell\w*|told) (?:me )?(?:that )?i (?:should|must|need to|have to|deserve to|ought to) (?:die|be dead|kill myself|hurt myself|cut|be punished|disappear|end it)\b",
        r"\bhow much longer (?:i can|can i|i could|i'?ll be able to|before i) (?:keep going|go on|do this|take (?:it|this)|hold on|last|survive|keep living|break)\b",
        r"\b(?:giving|give|gave|given) up on (?:everything|life|living|myself|being alive|it all|the world)\b",
        r"\b(?:won'?t|wont|will not) be a (?:problem|burden|bother|worry) (?:for|to) (?:anyone|anybody|you|everyone|them|my family) (?:much )?(?:longer|anymore|any more|soon)\b",
        r"\b(?:ready|want|wanna|going|gonna|need) to end (?:this|it|everything|things|myself)\b(?! (?:session|call|meeting|lease|contract|conversation|subscription|appointment|membership|week|month|chapter|relationship))",
        r"\b(?:might|may) (?:as well|just as well) (?:be dead|die|end it|not exist|not be here)\b|\bas good as dead\b",
        r"\b(?:tired|tierd|tird|tire) of (?:living|liveing|livin|life|being alive|existing|everything|fighting|waking up)\b|\bdone with (?:life|living|everything|it all|this life)\b",
        r"\b(?:want|wanna|wish) (?:it|everything|this|the pain) (?:all )?to (?:stop|end)\b(?! (?:raining|hurting (?:my|in)))",
        r"\bdisappear (?:forever|for good|and never)\b|\b(?:stop|not) exist(?:ing)?\b(?! yet)",
        r"\b(?:life|living) (?:isn'?t|is not|isnt|aint|ain't) worth (?:it|living)\b|\bnot worth living\b",
        r"\bnever wake up\b|\bnot wake up\b(?! (?:early|in time|on time|till|until))",
        r"\b(?:welcome|wouldn'?t mind) death\b|\bready to go\b(?! (?:back|to|home|out|in))|\bno quiero estar aqui\b",
        r"\bya no (?:aguanto|puedo mas|quiero seguir|quiero vivir)\b|\bno aguanto mas\b|\bno vale la pena vivir\b",
        r"\bya no (?:estare|voy a estar)\b|\bsin mi (?:estarian|estarán|estaran) mejor\b",
        r"\b(?:estaria|estarian|estarias|seria|serian|vivirian|viviria|quedarian) (?:mucho )?mejor sin mi\b(?! (?:ayuda|carro|coche|dinero|trabajo|opinion))",
        negatable=False,
    ),
    # --- plan, intent, means (imminent) ----------------------------------------------------
    *_rules(
        "suicide_plan_or_intent",
        "imminent",
        rf"\b(?:have|got|bought|buying|saved|saving|stockpil\w*|hoard\w*|collect\w*|(?:counted|counting)(?!.{{0,80}}\b(?:short|missing|miscount\w*)\b)|gathered|hiding|hidden|stashed) (?:up )?(?:a |the |my |enough |all (?:of )?(?:my|the) |some )?(?:{PILLS}|rope|noose|gun|pistol|rifle|razor|razors|blades?|bullets|charcoal)\b(?=.{{0,60}}\b(?:die|end|kill|it|enough|when|for|to|myself|tonight)\b)",
        r"\b(?:i have|i've got|i got|i made|made|have) a plan\b(?=\s*(?:[.!?,;\n]|$|and\b|now\b|already\b|for (?:it|tonight|how|when|this)\b|to (?:die|end|kill|do it|take (?:my|all|them|every)|jump|hang|overdose|od|shoot|not|finally|go through|unalive|off)\b))|\b(?:my|the) plan is to\b|\bplann?(?:ed|ing) (?:it|my death|my suicide|how)\b",
        r"\b(?:wrote|written|writing|left|leaving) (?:a |my |the )?(?:suicide |goodbye |farewell )?(?:note|letters?) (?:for|to) (?:my|everyone|them|the)\b(?!.{0,40}\b(?:reunion|birthday|christmas|holiday|wedding|invitation|school|teacher|employer|work|insurance|landlord|judge|court|job|application|thank|apolog\w*|about (?:the|my|our) (?:trip|plans|bill|rent|visit)))",
        r"\b(?:suicide|goodbye|farewell) (?:note|letter)\b",
        # round 5: every pill poured into one place and looked at ("emptied the pill organizer
        # into one cup. just staring at it")
        rf"\b(?:emptied|emptying|poured|pouring|dumped|dumping|tipped) (?:out )?(?:all |every )?(?:of )?(?:my |the |his |her )?(?:{PILLS}|pill (?:organi[sz]er|box|bottles?|case)|bottles?)\b.{{0,40}}\b(?:into|onto|in) (?:one|a single|my) (?:cup|pile|hand|bowl|glass|plate)\b(?!.{{0,60}}\b(?:refill\w*|pharmac\w*|trash|sink|disposal)\b)",
        rf"\b(?:how many|how much) (?:{PILLS}|of my \w+|\w+) (?:does it take|would it take|to take|would kill|will kill|to die|is lethal|to overdose|to od)\b",
        r"\b(?:looking|looked|look|searching|searched|google\w*|research\w*|reading) (?:up )?(?:ways|how|methods) (?:to )?(?:die|end it|kill myself|make it painless|do it|overdose|od|hang)\b|\bmake it painless\b",
        r"\b(?:have|got|had) it (?:all )?(?:planned|figured) out\b|\bpicked (?:a|the) (?:date|day|spot|place)\b",
        r"\b(?:the|a|my) (?:rope|noose|gun|pistol|rifle|pills|razor)\b.{0,60}\b(?:courage|nerve|guts|ready|tonight|myself|do it|end it|use it)\b",
        r"\b(?:courage|nerve|guts|strength) to (?:do it|go through with it|end it|use it|pull the trigger|jump)\b",
        r"\b(?:use|using|used|point|pointing|turn|turning) (?:it|the gun|the pistol|the knife|them|a gun|his gun|my gun) (?:on|at|against) myself\b",
        r"\blethal (?:dose|amount)\b|\bhow to (?:die|kill (?:myself|yourself)|end it)\b|\bpainless (?:way|ways|death)\b",
        r"\b(?:loaded|load|loading|cleaning) (?:the |my )?(?:gun|pistol|rifle)\b",
        r"\b(?:tied|tying|tie) (?:a |the )?(?:noose|knot|rope)\b|\bnoose\b",
        r"\b(?:standing|sitting|parked) (?:on|at|by) (?:the|a) (?:bridge|edge|ledge|roof|tracks)\b",
        r"\b(?:tonight|tonite|2nite) (?:is|'s|s|feels like|seems like|might be) the (?:night|nite)\b|\bthis is (?:it|the end)\b(?! of)|\bmade (?:up )?my (?:mind|decision)\b.{0,40}\b(?:end|die|it|go)\b",
        rf"\b(?:going to|gonna|gona|will|i'll|ill|about to|plan to|planning to|decided to|ready to) (?:do it|end it|go through with it|kill myself|kms|end my life|take my life|jump|overdose|od)\b.{{0,30}}\b{TIME_NOW}\b",
        rf"\b{TIME_NOW}\b.{{0,40}}\b(?:kill myself|kms|end it|end my life|take my life|do it|overdose|jump)\b",
        r"\b(?:voy a|pienso) (?:matarme|suicidarme|quitarme la vida|tomarme todas)\b|\btengo (?:un plan|las pastillas|una pistola)\b",
        negatable=True,
    ),
    # --- self harm (high) ------------------------------------------------------------------
    *_rules(
        "self_harm",
        "high",
        r"\bself[- ]?harm\w*|\bself[- ]?injur\w*|\bself[- ]?mutilat\w*|\bsh (?:again|relapse)\b|\brelaps\w* (?:on|with|into) (?:sh|self|cutting|cuts|burning)\b",
        r"\b(?:cut|cuts|cutting|cuttin|cutted|carve|carved|carving|slit|slitting|slice|slicing) (?:my ?self|myslef|my (?:arms?|wrists?|legs?|thighs?|skin|stomach|hips?))\b",
        r"\b(?:started|start|been|back to|went back to|keep|kept|stop|quit|urge to|urges to|want to|wanna|craving) (?:cutting|cut|burning|hurting myself|scratching|sh)\b",
        r"\bcutting again\b|\bcut again\b|\bclean from (?:cutting|sh|self harm)\b",
        r"\b(?:hurt|hurting|hurted|harm|harming|burn|burned|burnt|burning|hit|hitting|punch|punching|scratch|scratching|bruise|bruising|starve|starving|punish|punishing) (?:my ?self|myslef)\b",
        r"\b(?:bang|banged|banging|slam|slammed|slamming|hitting|smash\w*) my head (?:against|on|into)\b|\bhit my head (?:against (?:the|a) wall|on purpose|over and over|until|till|again and again)\b|\b(?:scratch|scrach|scratsh|pick|picking|claw|clawing)\w* (?:\w+ ){0,3}(?:until|till|til|untill) (?:i |it |they |he )?bleed",
        r"\b(?:making|make|made|doing|did) (?:\w+ )?cuts (?:on|in|into) my\b",
        r"\b(?:razor|blade|blades|boxcutter|box cutter|lighter) (?:on|to|against|into) my\b",
        r"\bfresh (?:cuts|scars|wounds)\b|\bnew (?:cuts|scars)\b",
        r"\b(?:cortarme|me corto|me corte|lastimarme|hacerme dano|me hago dano|me lastimo|quemarme)\b(?! (?:el|la|los|las|un|una) (?:pelo|cabello|unas|flequillo|fleco|barba))"
        + KITCHEN_CUT,
    ),
    # --- attempt disclosed (high if recent, elevated if long ago: see crisis.py) -----------
    *_rules(
        "suicide_attempt",
        "high",
        r"\b(?:tried|try|tryed|trying|attempted|attempt) (?:to |2 )?(?:kill|end|take|off|hang|drown|overdose|od|poison|unalive) (?:my|myself|my self|mi)\b",
        rf"\b(?:tried|attempted|attempt(?:ed)?) {SUICIDE}\b|\b{SUICIDE} attempts?\b|\b(?:my|an|last|the) attempt\b",
        r"\bsurvived (?:my|an|the|a) (?:attempt|overdose|od)\b|\bpump(?:ed)? my stomach\b|\bstomach pumped\b",
        r"\b(?:intente|intento de|trate de) (?:matarme|suicid\w*|quitarme la vida)\b",
        r"\b(?:hospitali[sz]ed|in the (?:psych|hospital|er|icu)|committed|5150|sectioned) (?:after|because|for|when) (?:i |my )?(?:tried|attempt|overdos|od|took)\w*\b",
        negatable=False,
    ),
    # --- overdose / medical emergency (imminent) ------------------------------------------
    *_rules(
        "overdose_or_medical_emergency",
        "imminent",
        rf"\b(?:took|take|taken|taking|taked|tooked|swallowed|swallow|ate|downed|popped|tome|me tome) (?:like |about |maybe |around |over )?(?:all|[5-9]|[1-9]\d+|twenty|thirty|forty|fifty|ten|fifteen|a (?:whole|full) (?:bottle|pack|box|handful)|the (?:whole|entire|rest of the) (?:bottle|pack|box)|a bunch|a handful|a lot|too many|too much|way too many|way too much|extra|double|triple|todas|muchas)\b.{{0,40}}\b{PILLS}\b",
        r"\b(?:took|swallowed|downed|popped) (?:my|the|her|his|their) (?:whole|entire) (?:bottle|supply|prescription|script|pack)\b",
        r"\b(?:took|swallowed|ate|downed|popped) (?:it|them|everything|the rest) all\b(?! (?:in|back|off|out|apart))|\b(?:took|swallowed) all of (?:it|them)\b|\b(?:pill|medication|medicine|meds) (?:bottle|pack|box) is (?:now )?empty\b",
        r"\boverdos\w*|\bover dos\w*|\b(?:od|o\.d\.?|od'?d|oded|od'?ing|odeing)\b(?! (?:green|for))|\bsobredosis\b",
        r"\b(?:can'?t|cant|cannot|can not|couldn'?t) (?:breathe|breath|wake (?:him|her|them) up)\b|\b(?:not|isn'?t|isnt|stopped) breathing\b|\bno respira\b",
        r"\b(?:unconscious|unresponsive|passed out and|won'?t wake up|wont wake up|turning blue|lips are blue|seizing|having a seizure|convuls\w*)\b",
        r"\b(?:chest pain|(?:having|having a|i'?m having|think i'?m having|is having) (?:a )?(?:heart attack|stroke)|bleeding (?:a lot|badly|heavily|everywhere|won'?t stop|wont stop)|losing (?:a lot of )?blood|can'?t stop the bleeding)\b",
        rf"\b(?:mixed|mixing|combined|combining|took|taking|with) (?:my |the |some |a few |all my )?(?:{PILLS}|benzos?)\b.{{0,20}}\b(?:with|and|plus) (?:a lot of |lots of |some |a bottle of |a few |a fifth of )?(?:alcohol|vodka|whiskey|wine|beer|booze|drinks|tequila|rum)\b",
        r"\bcall(?:ing)? (?:911|an ambulance|poison control)\b|\bneed an ambulance\b|\b(?:drank|drinking) (?:bleach|antifreeze)\b",
        negatable=False,
    ),
    # --- harm to others (high) -------------------------------------------------------------
    *_rules(
        "harm_to_others",
        "high",
        rf"\b(?:{SUBJECT_I}|want to|wanna|going to|gonna|could|will|would|might|feel like|urge to|thoughts of|thinking (?:of|about)) ?(?:really |seriously |actually )?(?:kill|murder|hurt|shoot|stab|strangle|choke|beat up|smother|drown|poison|harm) (?:him|her|them|someone|somebody|people|everyone|everybody|my (?:{PARTNER}|{FAMILY}|coworkers?|co-workers?|manager|neighbou?r|family)|the (?:baby|kids|{PARTNER}))\b",
        r"\b(?:thoughts?|urges?|images?) (?:of|about) (?:hurting|harming|killing|drowning|smothering|shaking|stabbing) (?:my|the|him|her|them|someone|people)\b",
        r"\b(?:shoot|shooting) up (?:the|my|his|her|their|our) (?:school|office|work|workplace|church|place)\b|\b(?:bring|bringing|take|taking) (?:a|my) (?:gun|knife|weapon) to (?:work|school|the office|class)\b",
        r"\b(?:make|making) (?:him|her|them|everyone) pay\b|\b(?:want|wish|wanting) (?:him|her|them|my \w+) (?:dead|to die)\b|\b(?:he|she|they)(?:'ll| will) be sorry\b",
        r"\b(?:voy a|quiero) (?:matarlo|matarla|matarlos|lastimarlo|lastimarla)\b",
    ),
    # --- abuse or violence happening to the client (high; imminent when happening now) -----
    *_rules(
        "abuse_or_violence",
        "high",
        rf"\b(?:he|she|they|my {PARTNER}|him|her)(?:'s| is| has been| keeps| kept)? ?(?:hit|hits|hitting|beat|beats|beating|punch\w*|slap\w*|kick\w*|chok\w*|strangl\w*|rap\w*|molest\w*|assault\w*|push\w*|shov\w*|grabb?\w*|threaten\w*|abus\w*|hurt|hurts|hurting) (?:me|us)\b",
        r"\b(?:i was|i got|i've been|ive been|i have been|been|got) (?:raped|assaulted|sexually assaulted|molested|beaten|attacked|abused|strangled|choked|jumped|mugged|stalked)\b",
        r"\b(?:afraid|scared|terrified|worried|fear) (?:that )?(?:he|she|they|my \w+)(?:'ll| will| is going to| might| would| gonna| is gonna)? (?:kill|hurt|find|beat|come after) (?:me|us)\b",
        r"\b(?:threaten\w*|said he would|said she would|says he will|says he'll|swore he would) (?:to )?(?:kill|hurt|shoot|beat) (?:me|us|my)\b",
        r"\b(?:not|don'?t feel|dont feel|never) safe (?:at home|in my home|in my house|with (?:him|her|my \w+)|going home)\b|\bscared to go home\b|\bafraid to go home\b",
        r"\b(?:won'?t|wont|doesn'?t|doesnt) let me (?:leave|go out|see my|have my phone|call)\b|\blocked me (?:in|out|up)\b|\btook my (?:phone|keys) so i\b",
        r"\b(?:keeps|keep|kept|been|is|has been|started) (?:following|stalking|watching|tracking) me\b|\b(?:don'?t|dont|do not|never) feel safe\b",
        r"\b(?:he|she|my \w+)(?: is|'s|s) (?:outside|at the door|banging on|breaking in|trying to get in|following me)\b|\bbreaking (?:in|down the door)\b",
        r"\b(?:domestic (?:violence|abuse)|being abused|abusive (?:relationship|husband|partner|boyfriend))\b",
        r"\b(?:me pega|me golpea|me golpeo|me pego|me amenaza|me amenazo|me viola|me violo|me maltrata|me quiere matar|tengo miedo de (?:el|mi esposo|mi pareja|mi novio))\b",
    ),
    # --- a child or other dependent at risk (high) -----------------------------------------
    *_rules(
        "dependent_at_risk",
        "high",
        rf"\b(?:he|she|my {PARTNER}|him|her|they|someone|my \w+)(?:'s| is| has been| keeps)? ?(?:hit|hits|hitting|beat|beats|beating|punch\w*|slap\w*|kick\w*|chok\w*|shak\w*|burn\w*|touch\w*|molest\w*|abus\w*|hurt|hurts|hurting|starv\w*|lock\w*) (?:my|our|the|his|her) {FAMILY}\b",
        rf"\b(?:my|our|the|a|\w+'?s) (?:[\w-]+ ){{0,3}}{FAMILY}\b.{{0,50}}\b(?:was|is|are|got|gets|being|been) (?:hit|beaten|abused|molested|touched|hurt|burned|left alone|neglected)\b",
        rf"\b(?:left|leave|leaving) (?:my|the|our) {FAMILY} (?:alone|home alone|in the car)\b",
        rf"\b(?:hit|hits|hitting|beat|beats|beating|punch\w*|slap\w*|kick\w*|chok\w*|shak\w*|burn\w*|touch\w*|molest\w*|abus\w*|hurts|hurting|starv\w*) (?:my|our) {FAMILY}\b",
        r"\b(?:caregiver|carer|aide|home health|nursing home|staff)\b.{0,40}\b(?:hit\w*|beat\w*|abus\w*|hurt\w*|neglect\w*|slap\w*|rough\w*|stealing from)\b",
        r"\b(?:shake|shaking|shook) (?:the|my) (?:baby|infant|newborn)\b|\b(?:hurt|harm|drown|smother) (?:my|the) (?:baby|infant|newborn|kids?|children)\b",
        rf"\b(?:my|our) (?:[\w-]+ ){{0,3}}{FAMILY}\b.{{0,60}}\b(?:{SUICIDE}|wants? to die|wanna die|kill (?:{REFLEX3}|him|her)|hurt (?:{REFLEX3})|cutting|cuts (?:{REFLEX3}|on)|self[- ]?harm|overdos\w*|end (?:his|her|their) life|took pills)\b",
        r"\bmi (?:hijo|hija|nino|nina|bebe|hermano|hermana)\b.{0,40}\b(?:se quiere (?:matar|morir)|quiere morir|se corta|suicid\w*|le pega|lo golpea|la golpea|la toca|lo toca)\b",
        r"\b(?:elder|elderly|grandma|grandpa|grandmother|grandfather|mom|dad|mother|father)\b.{0,30}\b(?:wandered off|missing|being abused|fell and can'?t get up)\b",
        reported=True,
    ),
    # --- third-party risk reports (the category is the risk; the reporter is not the subject)
    *_rules(
        "suicidal_ideation",
        "high",
        rf"\b{THIRD} (?:said|says|told me|texted|keeps saying|kept saying|is talking|talks|talked|has been talking|posted)\b.{{0,50}}\b(?:wants? to die|wanna die|kill (?:{REFLEX3})|{SUICIDE}|end (?:it|his life|her life|their life|it all)|better off dead|hurt (?:{REFLEX3}))\b",
        rf"\b(?:kill|killing|hurt|hurting|cut|cutting|harm|harming|hang|hanging) (?:{REFLEX3})\b",
        r"\b(?:he|she|they) (?:wants?|wanna) (?:to )?die\b|\b(?:his|her|their) suicide\b",
        reported=True,
    ),
    *_rules(
        "suicidal_ideation",
        "high",
        rf"\b(?:{THIRD}|him|her)\b.{{0,40}}\b(?:doesn'?t|does not|dont|don't|no longer|not) (?:want|wanna|wish) (?:to )?(?:live|be alive|be here|exist|wake up)\b",
        r"\b(?:he|she|they)(?:'s| is| are)? (?:not going to|won'?t|might not) (?:be|still be) (?:here|around|alive)\b",
        negatable=False,
    ),
    # --- command hallucinations / psychosis (high) -----------------------------------------
    *_rules(
        "command_hallucinations",
        "high",
        r"\bvoices? (?:in my head )?(?:are |is |keep |keeps |kept |have been |has been |started )?(?:tell\w*|say\w*|said|command\w*|order\w*|want\w*|whisper\w*|scream\w*|yell\w*|instruct\w*) (?:me|that i|i|him|her|them|us)\b",
        r"\bvoices? (?:are|is|have|has|'re|s) (?:back|louder|worse|getting (?:louder|worse)|came back|returned|stronger)\b",
        r"\b(?:hear|hearing|heard|hears) (?:a |the )?voices?\b(?! (?:message|mail|memo|note|lesson|recording|of reason))",
        r"\b(?:god|the devil|satan|the demons?|something|someone|they|the spirits?|angels?) (?:is |are |keeps? |have been )?(?:telling|tells|told|commanding|ordering|wants) me to (?:hurt|kill|cut|jump|die|end|punish|sacrifice|burn|drown|stab)\b",
        r"\b(?:the|a) voice (?:says|said|tells me|told me|wants)\b",
        r"\blas voces\b|\boigo voces\b|\bescucho voces\b",
    ),
    # --- goodbye / giving away (elevated) ---------------------------------------------------
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\b(?:giving|give|gave|given) away (?:all )?(?:of )?(?:my|all my) (?:stuff|things|belongings|possessions|cat|dog|pets?|clothes|books|guitar|jewelry|stuff to)\b",
        r"\b(?:who|someone|somebody) (?:will|can|could|would) (?:take care of|look after|care for|feed|take|have) (?:my|the) (?:cat|dog|pets?|kids|children|plants|fish)\b.{0,40}\b(?:gone|not here|not around|after i|when i)\b",
        r"\b(?:when|after|once|if) i'?m (?:gone|dead|not here|not around|no longer here)\b|\bafter i (?:die|pass|am gone)\b",
        r"\b(?:this is|this will be) (?:my|the) (?:last|final) (?:message|goodbye|time|email|note)\b|\bmy (?:last|final) (?:goodbye|message|words)\b",
        r"\b(?:texted|sent|left|wrote|posted) (?:me |us |everyone )?(?:a |her |his |their )?(?:goodbye|farewell|good bye)\b",
        r"\b(?:goodbye|good bye|bye) (?:forever|for good|everyone|to everyone|to all)\b|\bsaying (?:my )?goodbyes?\b|\bsaid (?:my )?goodbyes\b",
        r"\b(?:thank you|thanks) for (?:everything|all you(?:'ve| have) done|trying)\b.{0,60}\b(?:goodbye|good bye|bye|won'?t (?:need|be|see)|last|gone|farewell|sorry)\b",
        r"\b(?:won'?t|wont|will not|not going to|no longer) (?:need|be needing|be coming to|make it to) (?:any more|anymore|any|future|my|the next|more) (?:appointments|sessions|therapy|meds|refills)\b",
        r"\b(?:put|putting|getting|got) my (?:affairs|things|papers|finances) in order\b(?!.{0,120}\b(?:401 ?k\w*|ira|retirement|pension|beneficiar\w*|estate plan\w*|lawyer|attorney|budget\w*|taxes|tax return|financial (?:planner|advisor)|divorce\w*|consolidat\w*|refinanc\w*|feels? (?:good|great)|proud)\b)|\b(?:made|making|wrote|updated|updating) my (?:will|final arrangements)\b(?!.{0,80}\b(?:lawyer|attorney|advance directive|estate plan\w*|power of attorney|baby|newborn|grand\w+|married|wedding|divorce\w*|retir\w*|guardian\w*|sound mind|notar\w*)\b)|\bfinal arrangements\b",
        r"\b(?:tell|make sure|say|let) (?:to )?(?:my|them|her|him|everyone)\b.{0,30}\bi (?:loved|love|am sorry|was sorry)\b",
        r"\b(?:adios para siempre|ultimo mensaje|cuando ya no este|cuando me haya ido|regalando mis cosas)\b",
        negatable=False,
        unless=ORDINARY_GOODBYE,
    ),
    # --- round 2: indirect, veiled and texting wording the families above do not list ---------
    *_rules(
        "suicidal_ideation",
        "high",
        r"\bkys+\b|\bk\.y\.s\b",
        r"\b(?:gonna|gona|going to|want to|wanna|might|will|ill|i'll|should|could|about to) (?:just )?(?:off|unalive|delete) (?:myself|me|my self)\b",
        r"\b(?:don'?t|dont|do not|didn'?t) deserve to (?:live|be alive|exist|be here|wake up|breathe)\b|\bno merezco vivir\b",
        r"\b(?:shouldn'?t|should not|should never have) (?:exist|be alive|been born|be here)\b",
        r"\b(?:(?:no|any|zero) (?:reason|will|desire|motivation)|lost (?:my|all|the) (?:will|reason|desire)) (?:for|to) (?:life|live|living|be alive|stay alive|exist|keep living|continue living|go on)\b",
        r"\b(?:don'?t|dont|do not|not) (?:plan|planning|intend|intending|expect|expecting) (?:on |to )?(?:being|be|still be|staying|stay) (?:here|around|alive)\b",
        r"\b(?:won'?t|will not|wont) (?:have to|need to) (?:worry|deal) (?:about|with) me\b",
        r"\b(?:be|reunite|join|see) (?:with )?(?:my )?(?:late |dead )?\w+ (?:again )?(?:in heaven|on the other side)\b|\b(?:join|be with) (?:him|her|them) (?:soon|in heaven|again soon)\b",
        r"\b(?:crash|wreck|crashing|wrecking|drive|driving) (?:my|the) car (?:on purpose|purposely|deliberately|into (?:a|the) (?:tree|wall|truck|pole|bridge|river))\b|\bdrive into (?:oncoming )?traffic\b",
        r"\b(?:thinking|thought|think) (?:about|of|abt) jumping\b|\b(?:jump|jumping|leap|leaping) (?:off|from) (?:\w+ ){0,2}(?:bridge|building|roof|balcony|cliff|overpass|ledge|tower|window)\b",
        r"\b(?:drink|drinking|starve|starving) myself (?:to death|until i die)\b|\b(?:drink|drinking) (?:until|till|til) i (?:die|'?m dead|pass out for good)\b",
        r"\b(?:gonna|going to|might|about to|will|i'?ll|afraid i'?ll|scared i'?ll|could) (?:do|end up doing) something (?:stupid|dumb|drastic|i'?ll regret|bad to myself|to myself)\b|\b(?:scared|afraid|terrified) of what i (?:might|could|will|would) do(?: to myself)?\b|\bdon'?t trust myself\b",
        r"\b(?:step|stepping|walk|walking|run|running) (?:out )?(?:into|in front of) (?:traffic|the road|a car|cars|a truck|the highway)\b",
        r"\b(?:can'?t|cant|don'?t|dont) (?:see|picture|imagine) (?:myself )?(?:making it|living|being (?:here|around|alive)) (?:to|until|till|past|through)\b|\b(?:won'?t|wont|not going to|might not) make it (?:to|until|till|through) (?:christmas|my birthday|the holidays|new year|next (?:week|month|year)|the weekend|spring|summer)\b",
        r"\b(?:can'?t|cant|cnat|cannot) (?:take|do) (?:it|this) (?:any ?more|anymor|no more)\b.{0,30}\b(?:die|dy|dye|end|gone|disappear)\b|\bwant (?:to )?(?:dy|dye|diee)\b",
        r"\bme (?:voy|vo) a (?:matar|morir|suicidar|quitar la vida)\b|\bme quiero ir de este mundo\b|\b(?:no le )?(?:encuentro|veo) sentido a nada\b|\b(?:guardando|juntando|escondiendo) (?:mis |las )?(?:pastillas|medicinas|pildoras)\b(?![^.?!]{0,40}\b(?:farmacia|devolver\w*|desechar\w*)\b)|\bno (?:voy a|creo que vaya a) estar (?:aqui|aca|mucho tiempo|por mucho)\b|\bquiero dormir y no despertar\b|\bdesaparecer para siempre\b",
        negatable=False,
    ),
    *_rules(
        "suicidal_ideation",
        "elevated",
        r"\b(?:sleep|close my eyes) and (?:never|not) (?:to )?(?:open (?:them|my eyes)|wake)\b|\bnever (?:to )?(?:open my eyes|wake up) again\b",
        r"\b(?:sleep|rest) forever\b|\b(?:eternal|permanent|final) (?:sleep|rest|solution|escape)\b",
        r"\b(?:train|railroad|railway) tracks\b|\bstar(?:e|ed|ing) at (?:the )?(?:pills|bottle|rope|gun|knife|water|tracks)\b",
        r"\b(?:everyone|everybody|they|my family|my kids|the world|people) (?:would|will|'?d|'ll) (?:be )?(?:fine|okay|ok|better|happier|good) (?:without me|if i (?:was|were) gone|once i'?m gone|when i'?m gone|w/o me)\b",
        r"\b(?:i'?m|im|i am|i feel like|feel like) (?:just )?(?:a )?(?:waste of (?:space|air|oxygen|a life)|worthless (?:piece|human|person))\b",
        r"\b(?:no ?one|nobody|no1) (?:would|will|'?d) (?:care|notice|miss me|even notice)\b(?! if (?:i'?m|i am) late)",
        r"\bhelp me\b.{0,20}\b(?:can'?t|cant) (?:do this|take it|go on)\b",
        r"^\W*(?:please\W+)?(?:help|help me|someone help(?: me)?|somebody help(?: me)?|i need help(?: now| right now)?|sos)(?:\W+please)?\W*$",
        r"\b(?:finish|finished|finishing) (?:with )?(?:my )?life\b|\bi (?:am|'?m) finish(?:ed)? with (?:life|living|everything)\b|\b(?:not|no) (?:want|wanting|wish) (?:to )?(?:live|living) (?:any ?more|more|longer)\b|\blife no more\b|\bno more (?:life|force|strength) for (?:me|living|live)\b",
        r"\b(?:disappear|vanish) and never come back\b|\b(?:want|wanna|wish|need) (?:out of|to (?:get out of|escape)) (?:life|this life|this world|existence|everything)\b|\bwant out\b(?! of (?:my|the|this) (?:lease|contract|plan|job|marriage|group))",
        r"\b(?:life|everything|it all|living|my life) (?:is|feels|seems) (?:meaningless|pointless|hopeless|worthless)\b",
        r"\b(?:made|make|making|come to|came to|at) peace with (?:dying|death|my decision|leaving this world|going)\b",
        negatable=False,
    ),
    *_rules(
        "suicide_plan_or_intent",
        "imminent",
        r"\b(?:what happens|what would happen|is it (?:fatal|deadly|lethal)) if (?:someone|you|i|a person) (?:takes?|took|swallows?|swallowed|drinks?) (?:like |about |all |\d+ )\b|\b(?:googl\w*|search\w*|look\w* up|looking up) (?:how long|how fast) (?:it takes )?to (?:bleed out|die|drown|suffocate)\b|\bbleed out\b|\bcar running\b.{0,30}\b(?:garage|closed|inside)\b|\b(?:garage|closed garage)\b.{0,30}\bcar running\b",
        r"\b(?:look|looking|looked|search\w*|googl\w*|research\w*|read\w*) (?:up |into |about )?(?:how many|how much) (?:\w+ ){0,3}(?:it takes|would it take|does it take|to take|to die|is lethal|would kill|to od|to overdose)\b",
        r"\b(?:research\w*|look\w* up|looking into|googl\w*|search\w*|read\w* about) (?:\w+ ){0,2}(?:methods|ways to die|ways to end|how to end|lethal doses?|painless ways|overdose amounts?)\b",
        r"\b(?:knife|blade|razor|gun|pistol|barrel) (?:to|against|on|at|in) my (?:wrists?|throat|neck|head|temple|chest|mouth)\b",
        r"\b(?:saving|saved|stockpil\w*|hoard\w*|stash\w*|been saving) (?:up )?(?:my |all (?:my |the )?|the |some |extra |(?:my )?\w+'?s )?(?:\w+ )?(?:pills|meds|medication|tablets|doses|refills|prescriptions?|oxy\w*|percocets?|xanax|fentanyl|opioids?|painkillers|sleeping pills)\b|\b(?:been )?saving (?:them|these|those) up\b",
        r"\b(?:i'?m|im|i am|been|stood|standing|sat|sitting) (?:on|at) (?:the|a) (?:roof|bridge|ledge|edge|tracks|cliff|platform edge)\b",
        r"\b(?:have|got|holding|hold|i'?ve got) (?:the |my |all the |all my )?(?:pills|meds|rope|noose|gun|knife|blade|razor) (?:in my hands?|ready|right here|lined up|next to me|in front of me|counted)\b|\bi(?:'?ve| have)? got the (?:rope|noose|gun)\b",
        r"\b(?:driving|drove|driven|walk\w*|been going) (?:by|past|to) (?:the|a) (?:bridge|tracks|cliff|overpass)\b(?!.{0,20}\b(?:to work|on my way|commute)\b)",
    ),
    *_rules(
        "self_harm",
        "high",
        r"\b(?:punch\w*|hit\w*|kick\w*) (?:the )?walls? (?:until|till|til|so hard)\b|\bknuckles (?:are )?(?:bleed\w*|bloody|broken)\b",
        r"\b(?:cut|cuts|cutting) (?:too )?deep(?:er)?\b|\b(?:wrists?|arms?|thighs?) (?:are |is |keep |won'?t stop )?bleed\w*\b",
        r"\bburn(?:ed|t|ing)? (?:myself|my \w+) (?:with|on) (?:a |my |the )?(?:lighter|cigarettes?|iron|match|stove)\b|\b(?:lighter|cigarettes?) (?:on|to|into) my (?:skin|arm|arms|leg|legs|wrist|hand)\b",
        r"\b(?:me (?:hice|hago|estoy haciendo) cortes|me estoy cortando|me (?:queme|quemo|lastime|lastimo) (?:a proposito|otra vez|los brazos|las piernas))\b",
    ),
    *_rules(
        "harm_to_others",
        "high",
        r"\b(?:thinking|thought|think|thoughts|fantasi[sz]\w*|dream\w*|urges?) (?:of|about|abt) (?:hurting|harming|killing|stabbing|shooting|strangling|choking|beating|poisoning|attacking|running over) (?:him|her|them|someone|somebody|people|everyone|everybody|my \w+|(?:the|that|this) (?:guy|man|woman|girl|kid|kids|baby|teacher|boss|neighbou?r|coworker|manager|family))\b",
        r"\b(?:going to|gonna|will|i'?ll) (?:hurt|kill|get|find|make pay) (?:whoever|the (?:guy|man|person|one) who)\b",
        r"\b(?:i know|found out) where (?:he|she|they) (?:lives?|works?)\b.{0,40}\b(?:pay|hurt|kill|regret|sorry|get (?:him|her|them))\b|\b(?:going to|gonna|will) (?:make|get) (?:him|her|them) (?:pay|back)\b",
        r"\b(?:talk\w*|joke\w*|joking|threaten\w*|said|says|keeps saying|posted|post\w*) (?:about )?(?:shooting|bombing|attacking|killing) (?:up )?(?:people|everyone|kids|students|(?:his|her|their|the) (?:school|class|teacher|coworkers|work|family)|at (?:his|her|the) school)\b",
        r"\b(?:quiero|voy a) (?:matar|lastimar|golpear) a (?:alguien|mi (?:jefe|esposo|esposa|pareja|ex|vecino))\b",
    ),
    *_rules(
        "abuse_or_violence",
        "high",
        r"\b(?:he|she|they|my [\w']+(?: [\w']+)?)(?: keeps| kept| has been| always| still| sometimes| also)? (?:touch(?:es|ed|ing)|grop\w*|fondl\w*|molest\w*|rap(?:es|ed)) me\b",
        r"\bforced (?:himself|herself|themselves) on me\b|\b(?:made|makes|forced|forces) me (?:have sex|do sexual|touch (?:him|her)|watch porn)\b|\bwithout my consent\b|\bi didn'?t consent\b",
        r"\b(?:hands?|belt|rope|cord|arm) (?:around|on) my (?:neck|throat)\b|\b(?:strangl|chok)(?:ed|es|ing) me\b",
        r"\bthreaten\w* me with (?:a |his |her |the )?(?:knife|gun|pistol|weapon|bat)\b|\b(?:pulled|held|pointed|waved) (?:a |his |her |the )?(?:knife|gun|pistol|weapon) (?:at|on|to) (?:me|my)\b",
        r"\b(?:he|she|they|my [\w']+)(?: keeps| kept| has been| always)? (?:showing up|shows up|showed up|waiting|parked|sitting) (?:at|outside|in front of) (?:my|our) (?:house|home|apartment|apt|door|work|job|school|car|place)\b",
        r"\b(?:won'?t|wont|doesn'?t|doesnt|will not|didn'?t) let me (?:leave|go out|eat|sleep|see (?:anyone|my \w+|friends)|have (?:money|my phone|a phone))\b",
        r"\b(?:i'?m|im|i am|i feel|feel|i don'?t feel|i dont feel) (?:not safe|unsafe|in danger)\b(?! (?:driving|to drive|on the road|with (?:my|the|this) (?:car|meds|medication)))",
        r"\b(?:hiding|locked myself|i'?m locked) in (?:the |my )?(?:bathroom|closet|car|bedroom|room)\b",
        r"\b(?:me (?:toca|toco|manosea|forzo|obliga)|me violaron|me amenaza con|no me deja salir|me tiene encerrad[ao]|me sigue a todas partes)\b",
    ),
    *_rules(
        "dependent_at_risk",
        "high",
        rf"\b(?:my|our) (?:[\w-]+ ){{0,3}}{FAMILY}\b.{{0,60}}\b(?:talk\w* about|said|says|told me|keeps saying|posted)\b.{{0,30}}\b(?:shoot\w*|kill\w*|bomb\w*|stab\w*) (?:up )?(?:people|everyone|kids|students|someone|his|her|the)\b",
        rf"\b(?:left|leave|leaving) (?:the |my |our )?{FAMILY}\b.{{0,20}}\b(?:alone|by (?:themselves|himself|herself)|unattended)\b",
        r"\b(?:i'?m|im|i am) (?:scared|afraid|worried|terrified) (?:that )?(?:i'?ll|i will|i might|i'?m going to|of) (?:hurt\w*|harm\w*|shak\w*|smother\w*|drown\w*) (?:my|the|our) (?:baby|kids?|children|son|daughter|toddler|newborn|infant)\b",
        rf"\b(?:touch\w*|molest\w*|abus\w*|rap(?:es|ed|ing)) (?:my|our|the) (?:[\w-]+ ){{0,2}}{FAMILY}\b",
        r"\b(?:touch\w*|hurt\w*|rub\w*|grab\w*|show\w*|play\w* with) (?:my|her|his|their|me) (?:private parts|privates|private area|down there)\b|\bprivate parts\b.{0,30}\b(?:hurt|touch\w*|bleed\w*|sore)\b",
        r"\bmi (?:hijo|hija|nino|nina|hermano|hermana)\b.{0,40}\bse (?:esta )?(?:corta|cortando|lastima|lastimando|hace dano|quiere matar)\b",
        reported=True,
    ),
    *_rules(  # neglect: the wording itself holds "no food", so no negation may cancel it
        "dependent_at_risk",
        "high",
        rf"\b{FAMILY}\b.{{0,40}}\b(?:always|often|left|home|all day|all night) alone\b.{{0,40}}\b(?:no food|nothing to eat|hungry|not fed|not eating|dirty|bruises?|crying)\b|\b{FAMILY}\b.{{0,30}}\b(?:no food|not being fed|hasn'?t eaten in (?:days|two days))\b",
        negatable=False,
    ),
    *_rules(
        "overdose_or_medical_emergency",
        "imminent",
        r"\b(?:took|swallowed|downed|popped|ate|taken) (?:the |a |my |her |his )?(?:whole|entire|full) (?:bottle|pack|box|packet|strip|prescription|supply)\b",
        r"\b(?:took|swallowed|downed|popped|ate) (?:like |about |maybe |around |over )?(?:[1-9]\d|\d{3})\b(?! ?(?:mg|mcg|ml|minutes?|mins?|hours?|days?|percent|%|dollars|bucks|steps|pictures|photos))",
        r"\b(?:i|he|she|they)(?:'?ve| have| has)? (?:just )?(?:drank|drunk|swallowed|took|taken) (?:a |some |the )?(?:bleach|antifreeze|poison|rat poison|pesticide|weed killer|drain cleaner|lye)\b",
        r"\b(?:can'?t|cant|cannot) feel my (?:legs|arms|face|body|hands)\b|\b(?:not|isn'?t|won'?t|wont) waking up\b",
        r"\b(?:me tome|tome|me trague|se tomo|se trago) (?:todas|toda|muchas|un monton de|el frasco|la caja|(?:un|el|una|la) (?:frasco|bote|caja|blister))\b",
        r"\b(?:haven'?t|havent|have not|hasn'?t|has not|not) (?:eaten|ate|eat|had (?:any )?(?:food|water)|drunk|drank)\b.{0,40}\b(?:fainting|fainted|faint|passing out|passed out|blacking out|collaps(?:e|ed|ing)|can'?t stand up)\b|\b(?:fainting|passing out|blacking out)\b.{0,40}\b(?:haven'?t|havent|have not|not) (?:eaten|ate|had (?:any )?(?:food|water))\b",
        r"\bfoaming at the mouth\b|\b(?:not|isn'?t|won'?t) (?:responding|breathing right)\b|\b(?:lips|face) (?:are|is|turning) (?:blue|purple|gray)\b|\bthrowing up\b.{0,40}\b(?:pills|took|heart (?:is )?(?:pounding|racing))\b|\b(?:took|taken) my pills twice\b.{0,60}\b(?:throwing up|heart|dizzy|can'?t)\b",
        negatable=False,
    ),
    *_rules(
        "command_hallucinations",
        "high",
        r"\b(?:voices?|something|someone|the (?:tv|radio|devil|demons?))\b.{0,30}\b(?:telling|tells|told|want|wants|making|order\w*|command\w*) me (?:to )?(?:do (?:it|bad things|things)|hurt|kill|cut|jump|die|end|burn|stab|harm|attack)\b",
        r"\bhear(?:ing)? (?:them|things|someone|something|whispers?)\b.{0,30}\b(?:tell\w*|say\w*|command\w*|order\w*) (?:me|that i)\b",
        r"\b(?:oigo|escucho) (?:una voz|voces)\b|\bme (?:dicen|ordenan|dice) que me (?:mate|haga dano|lastime|corte)\b|\blas voces me\b",
    ),
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\b(?:give|gave|giving|given) (?:away )?(?:my|our) (?:dog|cat|pets?|puppy|kitten|bird|birds|fish|bunny|rabbit)\b (?:away|to)\b|\b(?:rehom\w*|find (?:a )?(?:new )?homes? for) (?:my|our) (?:dog|cat|pets?|puppy|kitten|bird|birds)\b",
        r"\btake (?:better )?care of (?:him|her|them|it) (?:better )?than i (?:can|could|ever)\b",
        r"\b(?:thank|thanks|sorry|tried|love)\b.{0,80}\bnot your fault\b|\bnot your fault\b.{0,80}\b(?:thank|thanks|sorry|tried|goodbye|love)\b|\byou did (?:everything|all) you could\b",
        r"\b(?:thank you|thanks|thx|ty) for (?:everything you(?:'ve| have)? tried|trying (?:to help me|so hard with me)|never giving up on me)\b",
        r"\b(?:this is|this will be|this'?ll be|it'?s) (?:probably )?(?:my|the) (?:last|final) (?:message|msg|text)\b|\blast time (?:you(?:'ll| will)? hear from me|i(?:'ll| will) (?:write|reach out))\b",
        r"\b(?:won'?t|wont|will not|don'?t think i'?ll|dont think ill|do not think i will) (?:need|be needing) (?:it|them|any(?:thing)?|more (?:sessions|appointments|therapy))\b.{0,20}\b(?:after (?:this|today|tonight|tomorrow|the weekend)|anymore|any more|where i'?m going)\b",
        r"\bin case i'?m (?:not (?:here|there|around)|gone|no longer (?:here|around))\b|\bi won'?t be (?:coming back|back|returning)\b(?! (?:until|till|after|for|next|this|on|in|from|to work))",
        r"\bcancel\w* (?:all )?(?:my )?(?:future |upcoming |remaining )?(?:appointments?|sessions?)\b.{0,60}\b(?:won'?t|wont|will not|no longer) (?:need|be (?:here|around|needing))\b|\bwon'?t need (?:them|it|anything|any of (?:it|this|them)) (?:any ?more|anymore|where i'?m going)\b|\bno need to reschedule\b.{0,30}\b(?:won'?t be|not be|gone)\b",
        r"\b(?:wrote|writing|written|left|leaving) (?:\w+ ){0,2}letters? (?:for|to) (?:my|each of my|everyone|all)\b.{0,60}\b(?:drawer|desk|find|when|after|in case|explain|sorry|love|goodbye)\b",
        r"\b(?:updated|wrote|made|finished|signed) (?:my|a) (?:will|life insurance)\b(?!.{0,80}\b(?:lawyer|attorney|advance directive|estate plan\w*|power of attorney|baby|newborn|grand\w+|married|wedding|divorce\w*|retir\w*|guardian\w*|sound mind|notar\w*)\b)|\btell (?:everyone|them all|my (?:family|mom|dad|kids|wife|husband|parents|sister|brother)) (?:i'?m sorry|i love (?:them|her|him)|goodbye)\b",
        r"\b(?:me despido|adios a todos|gracias por todo,? adios|cuiden a mi (?:perro|gato|hij\w+)|regale mis cosas)\b",
        negatable=False,
        unless=ORDINARY_GOODBYE,
    ),
    # Round 5: a refill declined with no reason in the sentence ("I appreciated all her help
    # over the years. I won't be needing the refill."); a stopped or switched medication is not.
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\b(?:won'?t|wont|will not) (?:be )?need(?:ing)? (?:the|my|any more|another|more|that|any) (?:refills?|prescriptions?|meds|medications?|pills|scripts?)\b(?! (?:until|till|for (?:a|the|now)|this (?:month|week)|because|since))",
        negatable=False,
        unless=r"\b(?:stopp\w*|switch\w*|chang\w*|doctor|dr|prescriber|psychiatrist|pharmac\w*|new|generic|discontinu\w*|taper\w*|off (?:of )?(?:it|them|that)|weaned|extra|left ?over|enough|insurance|mail ?order|\d+[- ]day|vacation|trip|moving)\b",
    ),
    # --- round 3: families the red-team blind set showed slipping past (see docs/SAFETY.md) ----
    # Veiled plans: a decision with no object, means-restriction undone, insurance and "accident".
    *_rules(
        "suicide_plan_or_intent",
        "imminent",
        r"(?:^|[.!?]\s*)i(?:'ve| have)? (?:decided|made (?:up )?my (?:mind|decision)|made the decision)\s*(?:[.!]|$)",
        r"\b(?:just )?want(?:ed)? (?:one person|someone|somebody|one human) to know\b(?! (?:that i (?:got|passed|am (?:doing|getting)))|about (?:my|the) (?:job|promotion|news))",
        r"\b(?:don'?t|dont|do not|no (?:one|body) can|you can'?t|you cant|please don'?t) (?:try (?:to |and )?)?talk me out of (?:it|this)\b",
        r"\b(?:stuff|things?|it|what) (?:that )?(?:we|you and i|you and me) (?:talked|agreed|discussed|spoke|decided) (?:about )?(?:on )?(?:me |i )?(?:not |wouldn'?t |would not |won'?t |shouldn'?t |should not )?(?:buy|get|order|keep|have|bring home)\w*\b",
        r"\b(?:life insurance|insurance|policy)\b.{0,60}\b(?:pays?|paid|pay out|payout|cover|covers|honou?r|get|gets|receive|collect)\b.{0,50}\b(?:intentional|suicide|self[- ]inflicted|on purpose|if i die|if i kill|if i'?m gone|ruled)\b",
        r"\b(?:pay|pays|paid|get|gets|collect|receive|keep)\b.{0,30}\b(?:life insurance|insurance money|policy)\b.{0,50}\b(?:intentional|suicide|self[- ]inflicted|on purpose|if i die|if i kill|if i'?m gone|ruled)\b",
        r"\b(?:ruled|considered|deemed|counted as|classified as) (?:an? )?(?:intentional|suicide|self[- ]inflicted)\b",
        r"\b(?:look|looks|seem|seems|appear|pass as|pass for) (?:like )?an accident\b",
        r"\b(?:let(?:ting)?|drift|drifting|swerve|swerving|veer|veering|steer|steering) (?:the car |my car )?(?:drift |veer |go )?(?:into|off|across) (?:the )?(?:median|oncoming|traffic|guardrail|wall|tree|pole|bridge|river|lake|ditch|cliff|overpass)\b",
        r"\bfound (?:a|his|her|their|the) (?:suicide |goodbye )?note\b.{0,100}\b(?:missing|gone|isn'?t answering|not answering|won'?t answer|can'?t reach|cannot reach|can'?t find (?:him|her|them))\b",
        r"\b(?:the |his |her |my |our |their )?(?:hose|rope|gun|rifle|pistol|shotgun|belt|cord|extension cord|ammo|bullets)\b(?: (?:from|in) (?:the |our |his |her )?\w+)? (?:is|are|went|has gone|have gone) (?:missing|gone)\b",
        r"\bmi plan es (?:tomar\w*|matar\w*|acabar|colgar\w*|tirar\w*|morir\w*)|\btomarme (?:todas )?(?:las|mis) (?:pastillas|pildoras|medicinas|tabletas)\b",
        negatable=False,
    ),
    *_rules(
        "suicide_attempt",
        "high",
        r"\b(?:i )?tried (?:it )?(?:again )?(?:last night|yesterday|this morning|earlier|over the weekend|the other night|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b[^?]{0,30}\b(?:didn'?t|didnt|did not|wasn'?t enough|failed|woke up)\b",
        r"\b(?:the |that )?(?:thing|incident|stuff) with (?:the|my) (?:pills|meds|rope|gun|razor|knife|bridge|belt|car)\b",
        r"\b(?:was|been|got|am|i'?m|ended up|just got out of|discharged from|released from) (?:(?:on|in|at|from) )?(?:the |a )?(?:psych|psychiatric|inpatient|behavioral health) (?:unit|ward|hospital|floor|hold|stay)\b|\b(?:5150|72[- ]hour hold|involuntary hold|baker act(?:ed)?)\b",
        negatable=False,
    ),
    *_rules(
        "self_harm",
        "high",
        r"\b(?:cat scratch|fell|accident|clumsy|kitchen knife|tripped)\b.{0,20}\b(?:jk|just kidding|not really|it was me|lie|lied)\b",
        r"\b(?:it was me|i did it(?: to myself)?|did it myself|i did that)\b.{0,10}\bagain\b",
        negatable=False,
    ),
    # Harm to others, veiled or Spanish; violence at home told by its injuries.
    *_rules(
        "harm_to_others",
        "high",
        r"\b(?:they|everyone|everybody|all of them|he|she|that office)(?:'s|'re| is| are| will)? (?:all )?(?:finally )?(?:going to|gonna|will|about to) (?:understand|pay|regret|see|learn|know|find out) (?:for )?(?:what (?:they|he|she) (?:did|done)|what they did to me|what'?s coming|it)\b",
        r"\bvoy a matar(?:lo|la|los|las)?\b|\b(?:lo|la|los|las) voy a matar\b|\bya tengo (?:el|la|las|los) (?:cuchillo|pistola|arma|navaja|soga|cuerda)\b",
        negatable=False,
    ),
    *_rules(
        "abuse_or_violence",
        "high",
        r"\b(?:face|eye|lip|nose|ribs?|jaw|arm|neck)\b (?:is|are|was|were|got|looks?) (?:\w+ )?(?:messed up|busted|swollen|bruised|black|split|broken|cracked|purple)\b.{0,80}\b(?:bf|gf|boyfriend|girlfriend|husband|wife|partner|he|she|ex|dad|stepdad|mom)\b",
        r"\b(?:bf|gf|boyfriend|girlfriend|husband|wife|partner|he|she|ex|dad|stepdad)\b.{0,80}\b(?:face|eye|lip|nose|ribs?|jaw|neck)\b (?:is|are|was|were|got|looks?) (?:\w+ )?(?:messed up|busted|swollen|bruised|black|split|broken|cracked|purple)\b",
        r"\b(?:he|she|bf|gf|husband|wife|boyfriend|girlfriend|partner)\b[^.?!]{0,10}\b(?:found out|finds out|got (?:mad|angry|drunk|violent)|had a bad night|lost (?:it|his temper|her temper)|caught me)\b.{0,80}\b(?:couldn'?t|could not|can'?t|cant) (?:walk|sit|see|breathe|move|work|go out|lift)\b",
        r"\b(?:bf|gf|boyfriend|girlfriend|husband|wife|partner|he|she) had (?:a|another) bad night\b",
        negatable=False,
    ),
    # A dependent (child, elder, disabled adult) neglected, confined, touched or endangered.
    *_rules(
        "dependent_at_risk",
        "high",
        r"\b(?:haven'?t|havent|have not|hasn'?t|hasnt|didn'?t|didnt|not|stopped|by not|isn'?t|wasn'?t) (?:been )?(?:fed|feed|feeding)\b(?! (?:into|off|back|up|myself|me|the (?:cat|dog|fish|meter|ducks)))",
        r"\b(?:haven'?t|havent|have not|hasn'?t|hasnt|didn'?t|didnt|not|stopped|by not) (?:been )?(?:giv\w*|gave) (?:her|him|them|the (?:baby|kids?|child)|my (?:\w+ )?(?:son|daughter|baby|kids?|mom|dad|mother|father|grandma|grandpa|grandfather|grandmother))\b (?:(?:her|his|their|the) )?(?:\w+ )?(?:insulin|meds|medication|medicine|pills|food|dinner|lunch|breakfast|meals?|formula|bottle|water|anything to eat)\b",
        r"\b(?:hasn'?t|haven'?t|has not|have not|hasnt|havent) (?:had|taken|gotten|got|been given) (?:her|his|their|any) (?:\w+ )?(?:insulin|meds|medication|medicine|pills|food|dinner|meals?)\b.{0,30}\b(?:since|for (?:\d+|two|three|several|a few|days))\b",
        r"\b(?:not sure|don'?t know|dont know|doubt) (?:if |whether )?(?:he|she|they|the baby|my \w+) (?:is|are|has been|have been|'s|'re)? ?(?:eating|drinking|fed|okay alone|safe)\b",
        r"\b(?:left|leave|leaving|been leaving) (?:my|our|the|her|his) .{0,40}\balone\b.{0,30}\b(?:since|for (?:\d+|two|three|several|a few|days|hours)|all (?:day|night|weekend)|overnight)\b",
        r"\b(?:locking|locks|locked|lock|shuts|shutting|shut) (?:him|her|them|my \w+|the (?:kids?|baby|child)) (?:up )?in (?:the |a |his |her |their )?(?:basement|closet|cellar|garage|shed|attic|cage|crate|car|trunk|room|bathroom)\b",
        r"\b(?:lo|la|los|las) (?:encierra|encerro|encierran|encerraba|amarra|golpea|pega|quema)\b|\b(?:hij[oa]s?|niet[oa]s?|nin[oa]s?|bebe)\b.{0,40}\bmoretones\b",
        r"\b(?:son|daughter|kid|child|baby|toddler|boy|girl|grandson|granddaughter|\d+ year old)\b.{0,60}\b(?:bruises|bruised|welts|burn marks|cigarette burns)\b",
        r"\b(?:touches|touched|has been touching|keeps touching|touching) (?:him|her|them|my (?:son|daughter|kid|child)) (?:when|while|where|down there|inappropriately|in (?:a|the) (?:bad|wrong) (?:way|place)|at night|in (?:his|her|their) (?:privates|private parts))\b",
        r"\b(?:punish\w*|discipline\w*) (?:her|him|them|my \w+) (?:by )?(?:not|no|without|withholding|starving|locking|making)\b",
        r"\b(?:if|when) i (?:go|die|leave|do it|end it|leave this world)\b.{0,40}\b(?:tak\w+|bring\w*) (?:the|my|our) (?:kids|children|baby|son|daughter|kid|boys|girls) with me\b|\b(?:kids|children|they|he|she|the baby) (?:shouldn'?t|should not|don'?t deserve to|won'?t) have to (?:stay|live|be) in this world\b",
        negatable=False,
    ),
    # Overdose or poisoning told only by its symptoms after taking something.
    *_rules(
        "overdose_or_medical_emergency",
        "imminent",
        r"\b(?:took|taken|take|swallowed|drank|mixed|doubled)\b.{0,100}\b(?:shak\w*|trembl\w*|throwing up|threw up|vomit\w*|puking|can'?t walk|cant walk|can'?t breathe|cant breathe|chest (?:pain|hurts)|heart (?:is )?(?:racing|pounding)|can'?t stay awake|passing out|passed out|seizure\w*|slurr\w*|confused|dizzy|sweat\w*|spinning)\b.{0,60}\b(?:shak\w*|trembl\w*|throwing up|threw up|vomit\w*|puking|can'?t walk|cant walk|can'?t breathe|cant breathe|chest (?:pain|hurts)|heart (?:is )?(?:racing|pounding)|can'?t stay awake|passing out|passed out|seizure\w*|slurr\w*|confused|dizzy|sweat\w*|spinning|walk stra\w*|see straight)\b",
        r"\b(?:jaw|left arm|arm|chest|shoulder|neck)\b.{0,25}\b(?:hurts?|hurting|pain|aching|numb|tight|pressure|heavy)\b.{0,80}\b(?:sweat\w*|grey|gray|pale|clammy|short of breath|can'?t breathe|cant breathe|nause\w*|throwing up|dizzy)\b|\b(?:sweat\w*|grey|gray|pale|clammy|short of breath)\b.{0,80}\b(?:jaw|left arm|chest|shoulder)\b.{0,25}\b(?:hurts?|hurting|pain|aching|numb|tight|pressure|heavy)\b",
        r"\b(?:can'?t feel|cant feel|can'?t move|numb\w*|droop\w*|weak)\b.{0,30}\b(?:face|side|arm|leg)\b.{0,80}\b(?:words? (?:are |is )?(?:coming out )?(?:wrong|jumbled|garbled|weird)|slurr\w*|can'?t (?:speak|talk|get (?:my|the|his|her) words out)|speech)\b|\b(?:words? (?:are |is )?(?:coming out )?(?:wrong|jumbled|garbled)|slurr\w*|can'?t (?:speak|talk))\b.{0,80}\b(?:can'?t feel|can'?t move|numb\w*|droop\w*)\b.{0,30}\b(?:face|side|arm|leg)\b",
        r"\b(?:drank|drunk|swallowed|ate|got into|chewed on|chewed)\b (?:some |a |the |his |her |my |one of (?:the|my|his|her) )?(?:\w+ )?(?:bleach|cleaner|detergent|laundry pods?|tide pods?|button batter\w*|batter(?:y|ies)|antifreeze|lighter fluid|drain cleaner|rat poison|poison|something (?:under|from|in) the (?:sink|garage|cabinet|shed))\b",
        negatable=False,
    ),
    # Veiled goodbyes: a letter not to open yet, records someone will need "after", debts settled.
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\b(?:left|leaving|wrote|writing|mailed|sent|dropped off) (?:a |this |the |you a )?(?:let+er|note|envelope|card)\b.{0,50}\b(?:don'?t|dont|do not|pls dont|please don'?t|please do not) (?:open|read) (?:it|them)\b",
        r"\b(?:don'?t|dont|do not|not to|never) (?:open|read) (?:it|this|them|the (?:let+er|note|envelope)) (?:until|untill|till|til|before)\b",
        r"\b(?:he|she|they|my \w+)(?:'ll| will| would| is going to) need (?:them|it|this|those|my \w+) (?:after|afterwards|afterward)\b(?! (?:the|my|our|his|her|their|that|this|a|an|\w+day|work|school|lunch|dinner|session|surgery|class))",
        r"\bso (?:nobody|no one|noone|no1|my family|they|no one else|my (?:kids|wife|husband|parents|mom|dad)) (?:has|have|will have|would have|won'?t have|wont have|doesn'?t have|don'?t have) to (?:deal with|worry about|pay|clean up|handle|sort out) (?:it|that|this|anything|my \w+)\b.{0,15}\b(?:later|after|afterwards|when i'?m gone|once i'?m gone)\b",
        r"\byou (?:will not|won'?t|wont|will never|are not going to|aren'?t going to) (?:see|hear from) me\b.{0,25}\b(?:again|any ?more|anymore|or after|after that|ever)\b",
        r"\bya no (?:va a ser|sera|es) necesario (?:seguir|continuar|volver)\b|\bgracias por todo\b.{0,80}\b(?:cuidese|cuidate)\b",
        negatable=False,
    ),
    # --- round 4: families the second red-team blind set showed slipping past ------------------
    # Self-harm told by euphemism or concealment ("taking care of myself" again, long sleeves in
    # July), in Spanish ("me volví a cortar") and Portuguese ("me cortei").
    *_rules(
        "self_harm",
        "high",
        r"\b(?:hid(?:e|es|ing)|cover(?:ing|s)? up|cover(?:ing)?) (?:the |my |these |all the |new |fresh )?(?:cuts|burns|wounds|fresh scars|new scars|bandages|band-?aids)\b",
        r"\b(?:started|starting|back to|went back to|doing|did|relapsed (?:on|into|with)?|slipped (?:back )?into)\b.{0,50}\bagain\b.{0,80}\b(?:sleeves|hoodies?|bandages?|band-?aids?|marks|cuts|blades?|razors?|sharpeners?|lighter|bled|bleeding)\b",
        r"\b(?:sleeves|hoodies?|bandages?|band-?aids?|blades?|razors?|sharpeners?)\b.{0,80}\b(?:again|relaps\w*|the way i (?:stopped|quit|used to))\b",
        r"\b(?:old habits?|the old habit|my habit|that habit)\b.{0,30}\b(?:back|again|returned)\b.{0,60}\b(?:arms?|wrists?|thighs?|legs?|skin|sleeves|marks|blades?)\b",
        r"\bme (?:volvi|vuelvo|he vuelto|volvia|estoy volviendo|vuelvo otra vez) a (?:cortar|lastimar|quemar|hacer dano|hacer cortes|rasgu\w*)\b|\bvolvi a (?:cortarme|lastimarme|quemarme|hacerme dano)\b",
        r"\bme (?:he|habia|e) (?:cortado|lastimado|quemado|hecho dano|hecho cortes)\b(?! (?:el|la|los|las) (?:pelo|cabello|unas|dedo))|\b(?:cortandome|lastimandome|quemandome)\b",
        r"\bme (?:corte|lastime|queme|hice dano|hice cortes)\b(?! (?:el|la|los|las|un|una) (?:pelo|cabello|unas|flequillo|dedo|mano cocinando))"
        + KITCHEN_CUT,
        r"\bme (?:cortei|corto de novo|machuquei|queimei)\b|\b(?:me cortar|me machucar|me ferir)\b",
        negatable=False,
    ),
    # Covering up in the heat: long sleeves in July, unless the sentence gives an ordinary reason.
    *_rules(
        "self_harm",
        "high",
        r"\b(?:long sleeves?|hoodies?|sweatshirts?)\b.{0,40}\b(?:in (?:july|august|june|the summer|summer|the heat|this heat|\d{2,3} degrees)|all summer|even though it'?s (?:hot|warm|\d+)|when it'?s (?:hot|warm|\d+)|to (?:hide|cover)|so (?:no one|nobody|no1|my \w+) (?:sees|notices|can see|asks)|you know why)\b",
        r"\b(?:it'?s|its|it is|been) (?:\d{2,3}|so hot|boiling|hot)(?: degrees)?(?: out(?:side)?)?\b.{0,40}\b(?:long sleeves?|hoodies?|sweatshirts?)\b|\b(?:july|august|heat ?wave|summer)\b.{0,30}\b(?:still in|wearing|wear) (?:long sleeves?|hoodies?|sweatshirts?)\b",
        negatable=False,
        unless=r"\b(?:office|a/?c|air ?con\w*|cold|freezing|chilly|sun|sunburn|uniform|dress code|religio\w*|modest\w*|eczema|psoriasis|rash|tattoo\w*|mosquito\w*|bugs|ticks|hiking|allerg\w*)\b",
    ),
    # Suicidal wording in Portuguese and Vietnamese (folded: "muốn chết" -> "muon chet"), and the
    # "waking up was worse than not" family.
    *_rules(
        "suicidal_ideation",
        "high",
        r"\bquero morrer\b|\bvou me matar\b|\b(?:quero|penso em|pensando em) me matar\b|\bnao quero (?:mais )?viver\b|\b(?:acabar com|tirar) (?:a )?minha (?:propria )?vida\b",
        r"\bmuon chet\b|\btu (?:tu|sat)\b|\bkhong muon song\b",
        r"\bwaking up (?:was|is|felt|feels) (?:worse|the worst|a disappointment|disappointing)\b|\b(?:disappointed|upset|sad|mad|angry) (?:that |when )?i (?:woke up|survived|am still here|'?m still here)\b|\bwish(?:ed)? i (?:hadn'?t|didn'?t|had not|did not|wouldn'?t) (?:have )?(?:wake|woke|woken) up\b",
        negatable=False,
    ),
    # An attempt told with a misspelled or bare method ("tryed to overdoes last weekend").
    *_rules(
        "suicide_attempt",
        "high",
        r"\b(?:tried|tryed|tride|trid|attempted) (?:to |2 )?(?:overdose|overdoes|overdoze|od|o\.d)\b",
        negatable=False,
    ),
    # Means kept "para mí" (Spanish), wanting someone to know (Spanish).
    *_rules(
        "suicide_plan_or_intent",
        "imminent",
        r"\b(?:veneno|raticida|soga|cuerda|pistola|arma|escopeta|navaja|cuchillo|corda)\b.{0,60}\b(?:para mi|guardad[oa]s?|escondid[oa]s?|listo|lista)\b|\b(?:pastillas|pildoras|medicinas|comprimidos|remedios)\b.{0,30}\b(?:guardad[ao]s|escondid[ao]s|juntad[ao]s) para mi\b",
        r"\bquer(?:ia|ria) que alguien (?:lo )?(?:supiera|sepa|sabia)\b|\bsolo quer\w+ que (?:alguien|usted|tu) (?:lo )?(?:supiera|sepa)\b",
        negatable=False,
    ),
    # Substances plus a body symptom now (street names, or a quantity of anything) = emergency.
    *_rules(
        "overdose_or_medical_emergency",
        "imminent",
        rf"\b(?:took|taken|taking|popped|popping|mixed|mixing|snorted|railed|smoked|drank|did|dropped|ate|shot up|sipping|combined|doubled up on|on)\b.{{0,40}}\b{STREET_DRUGS}\b.{{0,100}}\b{BODY_ALARM}",
        rf"\b(?:took|taken|popped|swallowed|mixed|drank|ate|downed)\b.{{0,20}}\b(?:a bunch of|a lot of|lots of|too many|too much|a handful of|way too many|way too much|like \d+|\d+|the whole|all (?:my|the|of (?:my|the))|(?:some |a few )?extra|(?:way |a lot |much )?more|double)\b.{{0,40}}\b(?:{PILLS}|drinks|shots|edibles?|gummies|alcohol|booze)\b.{{0,100}}\b{BODY_ALARM}",
        # More of a prescription than prescribed, or days of doses at once, then a symptom now.
        rf"\b(?:took|taken|swallowed|had)\b.{{0,30}}\b(?:more|extra)\b.{{0,30}}\bthan (?:i'?m|im|i am|i was|i'?m supposed|the doctor)\b.{{0,120}}\b{BODY_ALARM}",
        rf"\b(?:took|taken|swallowed)\b.{{0,20}}\b(?:the whole|a whole|all) (?:week|weeks|month|bottle|pack|box|organi[sz]er)\b.{{0,120}}\b{BODY_ALARM}",
        # Mixing a sedative with alcohol, in Spanish ("mezclé el clonazepam con tequila").
        rf"\b(?:mezcl\w+|tom\w+)\b.{{0,40}}\b(?:{PILLS}|clonazepam|alprazolam|rivotril|pastillas|metadona|suboxone|buprenorfina|morfina|oxicodona|tramadol)\b.{{0,40}}\b(?:con|y)\b.{{0,20}}\b(?:alcohol|tequila|cervezas?|vinos?|ron|vodka|whisky|mezcal|tragos|copas)\b",
        rf"\b{BODY_ALARM}.{{0,80}}\b(?:after|since|from) (?:i |taking |doing |mixing |popping )?.{{0,30}}\b{STREET_DRUGS}\b",
        negatable=False,
    ),
    # A child or dependent alone while the carer is impaired ("mis hijos are alone ... too high").
    *_rules(
        "dependent_at_risk",
        "high",
        rf"\b{FAMILY_ANY}\b.{{0,40}}\b(?:alone|home alone|by themselves|by (?:him|her)self|solos|solas|solitos|sozinh\w*)\b.{{0,100}}\b{IMPAIRED}",
        rf"\b{IMPAIRED}.{{0,100}}\b{FAMILY_ANY}\b.{{0,40}}\b(?:alone|home alone|by themselves|solos|solas|solitos|sozinh\w*)\b",
        rf"\btoo (?:high|drunk|wasted|messed up|fucked up|out of it|stoned) to (?:take care of|watch|look after|care for|pick up|get to|feed) (?:my|the|our) {FAMILY_ANY}\b",
        negatable=False,
    ),
    # A child who swallowed medicine or a household poison is an emergency, however calm the
    # message ("my 3 yr old got into my lithium ... but she seems fine").
    *_rules(
        "dependent_at_risk",
        "imminent",
        rf"\b(?:{FAMILY_ANY}|\d+ ?(?:yr|year|yo|y/o)s?[- ]?old|toddler)\b.{{0,40}}\b(?:got into|swallowed|ate|drank|chewed|took|found)\b.{{0,40}}\b(?:{PILLS}|bleach|detergent|pods?|laundry pods?|vape|edibles?|cleaner|antifreeze|batter(?:y|ies))\b",
        negatable=False,
    ),
    # Abuse told in passing: someone coming into the client's room at night, "our little secret".
    *_rules(
        "abuse_or_violence",
        "high",
        r"\b(?:he|she|they|him|my (?:step\w+|uncle|dad|father|brother|cousin|grandpa|grandfather|coach|neighbou?r|mom'?s (?:boyfriend|bf|husband)))(?:'s| is| has| keeps| kept| has been| been| was| still| always| started)?(?: been)? (?:coming|came|comes|sneaking|sneaks|snuck|getting|gets|climbing|climbs|walking|walks) (?:in|into|in to) (?:my|our) (?:room|bed|bedroom|shower|bathroom)\b(?=.{0,60}\b(?:again|at night|every night|late at night|when (?:everyone|mom|my mom|my \w+|i'?m|i am) (?:is |'s |are )?(?:asleep|sleeping|gone|at work|in the shower|out)|while i'?m (?:asleep|sleeping|changing|in the shower)|won'?t leave|touch\w*)\b)",
        r"\b(?:gets|got|getting|climbs|climbed|crawls|crawled) (?:in|into) (?:my )?bed with me\b",
        negatable=False,
    ),
    # Understated goodbyes: "won't be around for the next one", "my last appointment", things given
    # away "won't be needing em", who should get what, passwords left for someone.
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\b(?:won'?t|wont|will not|not going to|not gonna|might not|may not|probably won'?t) be (?:around|here|alive) (?:for|by|at|to see) (?:the |our |my )?next (?:one|session|appointment|time|visit|check-?in)\b",
        r"\b(?:this (?:will be|is|'ll be|might be|may be|is probably)|it'?s (?:probably )?|probably) (?:my|our) (?:last|final) (?:appointment|session|visit|time (?:seeing|talking to|writing to) you)\b",
        r"\b(?:gave|giving|give|given|handed|left|sold|selling) (?:away )?(?:my|all my|most of my)\b.{0,60}\b(?:to (?:my|a|her|him|them)|away)\b.{0,60}\b(?:won'?t|wont|will not|not gonna|not going to) (?:be )?(?:need|needing|use|using|play|playing)\b",
        r"\b(?:wrote|written|writing|made|making|left|typed|put) (?:out |down |up )?(?:a list of |a note (?:about|saying) )?who (?:(?:should|will|can|could|would) (?:get|have|take|keep)|gets|is getting) (?:what|my|which)\b|\bwho gets what\b",
        r"\b(?:left|wrote down|written down|put|leaving) (?:all )?my (?:passwords|pins?|bank (?:info|details|passwords)|account (?:info|passwords|logins)|logins)\b.{0,50}\b(?:for|with|to) (?:my|her|him|them)\b",
        r"\bregale (?:a )?(?:mi|mis|todas? mis) (?:perr[oa]s?|gat[oa]s?|mascotas?|cosas|ropa|pertenencias|plantas|libros|guitarra)\b|\ble (?:di|deje) (?:mi|mis) (?:perr[oa]|gat[oa]|mascota|cosas) a\b|\bdoei (?:meu|minha|meus|minhas) (?:cachorro|cachorra|gato|gata|coisas|roupas)\b",
        r"\b(?:gracias|thanks|thank you|thx|obrigad[oa]) (?:por|for) (?:todo|everything|tudo)\b.{0,60}\b(?:you tried|intentaste|trataste|lo intentaste|adios|goodbye|bye|cuidate|cuidese|perdon|lo siento|sorry|ya no|no te preocupes|not your fault)\b",
        negatable=False,
        unless=ORDINARY_ABSENCE,
    ),
    # Round 4, populations probe (teens, parents, older adults, veterans, rural, Portuguese,
    # psychosis/bipolar): families its first run missed.
    *_rules(
        "suicidal_ideation",
        "elevated",
        r"\b(?:would|'d|will|'ll) be (?:so |a lot |much |really )?(?:relieved|happier|glad|better off|happy|fine) (?:for (?:everyone|everybody|them|my family|you all) )?if i (?:just )?(?:stopped|wasn'?t|weren'?t|disappeared|was gone|were gone|didn'?t exist|never came back|left)\b",
        r"\b(?:stop(?:ped)? (?:showing up|coming|existing|being here|being around)|disappear(?:ed)?|go away)\b.{0,20}\b(?:permanently|for good|forever)\b",
        r"\b(?:no|don'?t see (?:much|any|the)|not much|not any|what'?s the) (?:reason|point|use) (?:to|in|of) (?:keep )?(?:taking|take|refilling|going to) (?:my|the) (?:\w+ )?(?:pills|meds|medications?|medicine|insulin|dialysis|treatment|chemo|appointments)\b",
        r"\bnao aguento mais\b|\bnao quero (?:mais )?(?:estar aqui|acordar)\b",
        negatable=False,
    ),
    *_rules(
        "suicidal_ideation",
        "high",
        r"\b(?:walk\w*|go|going|head\w*|wander\w*) (?:out )?(?:into|in) (?:the |this )?(?:back )?(?:snow|cold|woods|lake|river|ocean|sea|water|desert|pasture|field|blizzard)\b.{0,40}\b(?:lay(?:ing)? down|lying down|lie down|not come back|never come back|keep walking|freeze|sleep|disappear)\b",
        r"\b(?:fly|flying|jump|jumping|leap|leaping) (?:off|from) (?:the |a |my |that )?(?:\w+ ){0,2}(?:parking garage|garage|roof|rooftop|bridge|building|balcony|cliff|overpass|tower|window|ledge)\b|\b(?:prove|show (?:them|everyone|you))\b.{0,20}\bi can fly\b",
        r"\bvou (?:acabar com tudo|me matar|morrer)\b|\bacabar com tudo\b",
        negatable=False,
    ),
    *_rules(
        "suicide_plan_or_intent",
        "imminent",
        r"\b(?:sat|sitting|sit|slept|sleeping|sleep) with (?:the gun|my gun|the pistol|my pistol|my (?:service )?(?:weapon|pistol|rifle|revolver|firearm|shotgun))\b|\b(?:service weapon|pistol|gun|rifle|shotgun|firearm|revolver)\b.{0,60}\b(?:sat|sitting|slept) with it\b",
        r"\b(?:didn'?t|did not|haven'?t|have not|not) (?:load(?:ed)?|pull(?:ed)?|use(?:d)?|do(?:ne)?|take(?:n)?) (?:it|them|the trigger)\b.{0,10}\byet\b",
        r"\b(?:shotgun|rifle|gun|pistol|rope|pills)\b.{0,40}\b(?:by|next to|under) (?:the|my) (?:bed|pillow)\b",
        r"\b(?:(?:supposed|told|meant) to lock (?:it|them|the \w+) up|safety plan)\b.{0,60}\bi (?:didn'?t|did not|haven'?t|won'?t)\b(?! (?:had|needed|have to|had to|need)\b)",
        negatable=False,
    ),
    *_rules(
        "self_harm",
        "high",
        r"\b(?:her|his|their) (?:wrists?|arms?|legs?|thighs?)\b.{0,20}\b(?:all )?(?:cut up|cut|slashed|bleeding|sliced|covered in cuts)\b",
        negatable=False,
        reported=True,
    ),
    *_rules(
        "dependent_at_risk",
        "high",
        r"\b(?:pillow|blanket|hand|hands) over (?:her|his|their|the baby'?s|my (?:baby|son|daughter)'?s) (?:face|mouth|nose)\b",
        negatable=False,
    ),
    *_rules(
        "overdose_or_medical_emergency",
        "imminent",
        r"\b(?:fell|fallen|i fell|have fallen|tripped)\b.{0,40}\b(?:can'?t|cannot|cant|unable to) (?:get up|stand up|stand|move|reach the phone)\b|\b(?:on|from) the floor\b.{0,30}\b(?:can'?t|cannot) (?:get up|move|stand)\b",
        negatable=False,
    ),
    *_rules(
        "abuse_or_violence",
        "high",
        r"\bme (?:bateu|bate|batia|agrediu|ameaca|ameacou|empurrou|enforcou)\b|\b(?:vai|quer) me matar\b",
        negatable=False,
    ),
    *_rules(
        "command_hallucinations",
        "high",
        r"\b(?:it'?s|it is|they'?re|they are|voices?|chip|god|the \w+|it)\b.{0,15}\b(?:telling|tells|told) me\b.{0,40}\b(?:need to be|have to be|must be|should be|deserve to be) (?:stopped|punished|dealt with|eliminated|destroyed|cleansed|killed|silenced)\b",
        r"\b(?:chip|implant|transmitter|tracker|device) in my (?:head|brain|teeth|body|neck)\b|\bmessages? in (?:the )?(?:songs?|tv|radio|numbers)\b.{0,40}\b(?:time to|have to|must|tell\w* me)\b",
        r"\bi know where (?:they|he|she) (?:park|parks|sleep|sleeps|go to school|goes to school|walk their \w+)\b",
        negatable=False,
    ),
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\b(?:told|tell|asked|ask) (?:him|her|them|my \w+|everyone) to remember me\b|\bremember me (?:good|well|fondly|as i was|kindly)\b",
        r"\b(?:gave|giving|give|handed|passed down|left) (?:my|all my) (?:\w+ ){0,2}(?:medals|dog tags|jewelry|rings?|watch|guns?|rifles?|collection|guitar|tools|flag|uniform)\b(?: and (?:my )?(?:\w+ ){0,2}\w+)? to (?:my|a|his|her)\b",
        r"\b(?:he|she|they|my \w+)(?:'ll| will| would| is going to) (?:need|want|have) to (?:understand|know|read|see|figure out) (?:some |a few )?(?:things|everything|it|this|why)\b (?:after|afterwards|afterward|later)\b(?! (?:the|my|our|his|her|their|that|this|a|an|\w+day|work|school|lunch|dinner|session|surgery|class))",
        negatable=False,
        unless=ORDINARY_ABSENCE,
    ),
    # Round 4, third probe: means kept "for when it gets too bad", notes read too late, a command
    # about a dependent, Spanish/Portuguese plans already made.
    *_rules(
        "suicide_plan_or_intent",
        "imminent",
        rf"\b(?:{PILLS}|oxys?|bottle|gun|pistol|rifle|rope|razor|blades?|syringes?)\b.{{0,80}}\b(?:for|in case|saving (?:it|them) for) (?:when|if)? ?(?:it|things|life|i) (?:gets?|get|becomes?|can'?t) (?:too bad|worse|unbearable|too much|take (?:it|any more|anymore))\b",
        r"\bby the time (?:you|she|he|they|anyone|someone|somebody|dr\.? \w+) (?:read|reads|see|sees|get|gets|find|finds|open|opens) (?:this|it|my message)\b",
        rf"\b(?:{PILLS}|doses|refills) (?:saved|stashed|stockpiled|hoarded|hidden|put aside|set aside)(?: up)?\b",
        r"\b(?:tengo|ya tengo) todo (?:preparado|listo|planeado|arreglado)\b|\btenho tudo (?:preparado|pronto|planejado)\b|\bvoy a tomar(?:me)? tod[ao]s (?:mis |las )?(?:pastillas|pildoras|medicinas)\b|\bvou tomar tod[oa]s (?:os |as )?(?:meus |minhas )?(?:remedios|comprimidos|pilulas)\b",
        r"(?:^|[.!?,;]\s*)(?:ya|ja) (?:lo |tudo )?decidi\s*(?:[.!]|$)",
        r"\b(?:i'?m|im|i am|been|stood|standing|sat|sitting) (?:on|at) (?:the|a) (?:\w+ )?(?:roof|bridge|ledge|edge|tracks|cliff|overpass)\b(?! (?:club|game|tournament|loan|year|program))",
        negatable=False,
    ),
    *_rules(
        "command_hallucinations",
        "high",
        r"\b(?:they|voices?|the voices?|it|them)\b (?:want|wants|wanted|told|tell|tells|say|says|keep telling) (?:me )?(?:to )?(?:go|walk|get|jump|swim) (?:in|into|off|under) (?:the )?(?:lake|river|water|ocean|sea|traffic|street|bridge|train|tracks)\b",
        r"\b(?:the lord|god|jesus|the voices?|voices|angels?|the spirits?|the devil|satan)\b (?:says?|said|tells? me|told me|wants?|commands?|commanded)\b.{0,30}\b(?:my|the|our) (?:baby|son|daughter|kids?|children|wife|husband|family|mom|dad|mother|father)\b (?:must|has to|needs to|should|have to|will|is to)\b",
        negatable=False,
    ),
    *_rules(
        "abuse_or_violence",
        "high",
        r"\bour (?:little )?secret\b(?! (?:santa|recipe|ingredient|sauce|weapon|spot|garden|menu|handshake))",
        negatable=False,
        unless=r"\b(?:party|surprise|birthday|gift|present|proposal|engagement|shower|recipe)\b",
    ),
    # Round 4, fourth probe: non-native ingestion of poison, Portuguese overdose and third-party
    # ideation, dependents "better off in heaven", insurance that "would cover the debt".
    *_rules(
        "overdose_or_medical_emergency",
        "imminent",
        r"\b(?:drink|drinks|drinked|drank|eat|eats|ate|take|takes|took|swallow|swallows|swallowed)\b (?:the |some |a |this |that )?(?:poison|rat poison|pesticide|insecticide|weed killer|bleach|antifreeze|fertili[sz]er|chemicals?|cleaning (?:product|liquid)|drain cleaner)\b",
        r"\b(?:tomei|engoli|tomou|engoliu) (?:uma |a |o )?(?:caixa|cartela|frasco|vidro) (?:inteir[ao] )?(?:de )?(?:remedios?|comprimidos|pilulas)\b|\b(?:tomei|tomou|engoli) tod[oa]s (?:os |as )?(?:meus |minhas )?(?:remedios|comprimidos|pilulas)\b|\bveneno (?:de rato|para (?:ratos|plantas))\b",
        negatable=False,
    ),
    *_rules(
        "suicidal_ideation",
        "high",
        r"\b(?:quer|queria|vai|disse que vai|disse que quer) se matar\b|\b(?:ele|ela) quer morrer\b",
        negatable=False,
        reported=True,
    ),
    *_rules(
        "dependent_at_risk",
        "high",
        r"\b(?:kids|children|baby|babies|son|daughter|boys|girls|family|they|we)\b.{0,30}\b(?:better off|happier|safer|be together) (?:in heaven|with god|with jesus|dead|on the other side)\b",
        negatable=False,
    ),
    *_rules(
        "suicidal_ideation",
        "elevated",
        r"\b(?:life insurance|insurance money|the policy)\b.{0,40}\b(?:would|could|will)\b.{0,10}\b(?:cover|pay(?: off)?|take care of|settle|clear)\b.{0,20}\b(?:the |our |my )?(?:debts?|mortgage|loans?|bills|everything|farm|house)\b",
        negatable=False,
    ),
    # Round 4, fifth probe: a partner hitting someone else's children, wrists cut (Portuguese,
    # Spanish), wanting the noise to stop for good, blue and not moving, waiting at a height.
    *_rules(
        "dependent_at_risk",
        "high",
        rf"\b(?:keeps? |kept |been |is |are |was |started )?(?:hitting|beating|punching|slapping|kicking|choking|burning|shaking|whipping) (?:my|our|her|his|their|the) (?:\w+ )?{FAMILY_ANY}\b",
        negatable=False,
    ),
    *_rules(
        "self_harm",
        "high",
        r"\bcortei (?:os |meus |o |meu )?(?:pulsos?|bracos?|pernas?)\b|\bme corte (?:las|mis) (?:venas|munecas|brazos|piernas)\b|\bcortes (?:\w+ )?en (?:sus|mis|los|las) (?:piernas|brazos|munecas|muslos)\b",
        negatable=False,
    ),
    *_rules(
        "suicidal_ideation",
        "elevated",
        r"\b(?:want|wanna|need|wish)\b.{0,25}\bto (?:stop|end|go away|be over) (?:permanently|forever|for good|for ever)\b|\bquiere (?:desaparecer|morir\w*|matarse)\b",
        negatable=False,
    ),
    *_rules(
        "overdose_or_medical_emergency",
        "imminent",
        r"\b(?:is|are|turning|turned|went|gone|looks?)\b (?:all )?(?:blue|purple|grey|gray)\b.{0,30}\b(?:not moving|not breathing|won'?t wake|unresponsive|not responding|isn'?t moving)\b|\b(?:not moving|isn'?t moving|won'?t move)\b.{0,30}\b(?:blue|purple|not breathing|won'?t wake)\b",
        negatable=False,
    ),
    *_rules(
        "suicide_plan_or_intent",
        "imminent",
        r"\b(?:i'?m|im|i am|been|standing|sitting|sat|waiting) (?:at|on) (?:the )?(?:top|edge|roof) of (?:the |a )?(?:parking (?:deck|garage|structure|ramp)|building|bridge|overpass|dam|tower|cliff|hospital)\b",
        negatable=False,
        unless=r"\b(?:late|running|on my way|heading|be there|be right|pick(?:ing)? up|waiting for (?:my|a|the) (?:ride|friend|mom|dad|son|daughter)|appointment|session|meeting|class|shift|view|sunset|fireworks|photos?)\b",
    ),
    # Round 4, sixth probe: asking to be checked on, the gun store's waiting period, names drawn
    # with guns, double doses in an elder, letters to the family (Portuguese/Spanish), a voice
    # "in the walls", a partner threatening to crash her car, a needle still in the arm.
    *_rules(
        "suicidal_ideation",
        "elevated",
        r"\b(?:send|call|get) (?:someone|somebody|the police|a cop|911|an officer) (?:to )?(?:check on|check in on|look for|come (?:to|for)) me\b|\bif (?:i'?m not|i am not|i don'?t (?:show|come|answer)|you don'?t hear from me)\b.{0,60}\b(?:check on me|send someone|call (?:the police|911|my \w+))\b",
        negatable=False,
    ),
    *_rules(
        "suicide_plan_or_intent",
        "imminent",
        r"\b(?:asked|asking|ask|looked up|checking|checked) (?:about )?(?:the )?waiting period\b|\bgun (?:store|shop)\b.{0,60}\b(?:keep (?:driving|going)|parked|parking|sat|sitting|waiting period|again)\b|\b(?:keep (?:driving|going)|kept (?:driving|going)) (?:past|by|to) (?:the|a) gun (?:store|shop)\b",
        negatable=False,
    ),
    *_rules(
        "harm_to_others",
        "high",
        r"\b(?:drawing|drew|draws|writing|wrote|writes)\b.{0,30}\b(?:guns?|knives|weapons|bombs?|blood)\b.{0,40}\b(?:names?|with (?:their|his|her) names)\b|\b(?:list|names) of (?:people|kids|students|everyone|classmates) (?:he|she|they|i) (?:wants? to|would|will|is going to|are going to) (?:hurt|kill|shoot|get|stab)\b",
        r"\bworld (?:would be|is|will be) better (?:off )?without (?:people like|them|those|him|her|the \w+)\b",
        r"\bnames?\b.{0,40}\b(?:next to|beside|under|with|on|around)\b.{0,20}\b(?:drawings? of )?(?:guns?|knives|weapons|bombs?|crosshairs|nooses?)\b",
        negatable=False,
    ),
    *_rules(
        "overdose_or_medical_emergency",
        "imminent",
        r"\b(?:took|taken|takes|gave (?:her|him|them)|had)\b.{0,30}\b(?:twice|three times|two doses|double|extra doses?|again by mistake|by mistake)\b.{0,80}\b(?:confused|sleepy|drowsy|dizzy|won'?t wake|can'?t wake|shaking|throwing up|vomit\w*|slurr\w*|heart (?:is )?(?:slow|racing|pounding))\b",
        r"\b(?:needle|syringe)\b.{0,20}\b(?:in (?:her|his|their|my) (?:arm|hand|leg|neck)|still in)\b|\bpassed out\b.{0,40}\b(?:needle|syringe|pills|powder|foil)\b",
        negatable=False,
    ),
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\b(?:escrevi|deixei|escribi|deje) (?:umas? |as |unas? |las )?cartas? (?:para|pra|a) (?:minha familia|meus filhos|minha mae|todos|mi familia|mis hijos|mi mama|todos)\b",
        negatable=False,
    ),
    *_rules(
        "command_hallucinations",
        "high",
        r"\b(?:the |a )?voices? (?:in|from|inside|through|behind) (?:the |my )?\w+ (?:says?|said|tells?|told|keeps? saying|wants?|whispers?)\b",
        negatable=False,
    ),
    *_rules(
        "suicidal_ideation",
        "high",
        r"\b(?:she|he|they|my \w+)(?:'s| is| are)? (?:gonna|going to|will|wants to|about to|threaten\w* to|said (?:she|he|they)(?:'s| is| are)? (?:gonna|going to)) (?:crash|wreck|drive off|drive into) (?:her|his|their) car\b|\b(?:she|he|they)(?:'s| is| are)? (?:gonna|going to|will) (?:crash|wreck) (?:her|his|their) car\b",
        negatable=False,
        reported=True,
    ),
    # --- round 6: families of the third red-team set's misses ------------------------------
    # Harm to others reported in Spanish ("dice que va a matar a su ex ... ya tiene la dirección").
    *_rules(
        "harm_to_others",
        "high",
        r"\b(?:va|van|iba|iban) a matar a\b|\b(?:lo|la|los|las) (?:va|van|iba|iban) a matar\b",
        r"\bya tiene (?:la direccion|su direccion|un bate|una? (?:arma|pistola|cuchillo|navaja|rifle|escopeta|machete))\b",
        negatable=False,
        reported=True,
        unless=r"\b(?:jaja\w*|jeje\w*|broma\w*|bromeando|de tanto|si (?:no|llego|se entera))\b",
    ),
    # A past attempt told in Spanish: pills taken "so as not to wake up", or a handful of them.
    *_rules(
        "suicide_attempt",
        "high",
        r"\bpara (?:ya )?no (?:volver a )?despertar(?:me)?\b(?! (?:a |en |tan |temprano|de noche|durante|al bebe|a los))",
        r"\b(?:me|se) tom(?:e|o) (?:todas (?:las|mis|sus)|muchas|demasiadas|un monton de|un puno de|una caja de|el frasco de) (?:pastillas|pildoras|medicinas|tabletas)\b",
        negatable=False,
    ),
    # A goodbye letter in Spanish, and a Vietnamese overdose ("uống hết thuốc ngủ").
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\b(?:carta|cartas|nota|mensaje) (?:de despedida|despidiendose|para despedirse)\b",
        negatable=False,
    ),
    *_rules(
        "overdose_or_medical_emergency",
        "imminent",
        r"\buong (?:het|ca|nhieu) (?:\w+ )?thuoc\b",
        negatable=False,
    ),
    # A note already written ("i wrote my note lol. its on my desk"), not a note for work or school.
    *_rules(
        "suicide_plan_or_intent",
        "high",
        r"\b(?:wrote|written|writing|finished|typed|left) my note\b(?! (?:for|to|from|about|asking|excusing|at (?:the )?(?:front|reception|office|pharmacy|school)))",
        negatable=False,
    ),
    # Someone else's plan, reported by a friend or coworker ("she told me she has a plan if
    # tonight goes like last night").
    *_rules(
        "suicide_plan_or_intent",
        "imminent",
        r"\b(?:she|he|they|my \w+) (?:told me|said|says|texted|texted me|mentioned|admitted) (?:that )?(?:she|he|they) (?:has|have|had|made|got) a plan\b(?! (?:for (?:the|her|his|their|next|this) (?!tonight)|to (?:move|quit|travel|visit|go back|start|study|leave (?:the|her|his|their) job)))",
        reported=True,
    ),
    # Looking at heights, and thinking about the drugs kept at work.
    *_rules(
        "suicidal_ideation",
        "high",
        r"\bhow (?:high|high up|far down|tall) (?:the |that |this |our |my )?(?:\w+ ){0,3}(?:stairwell|stairs|bridge|roof|rooftop|balcony|overpass|parking (?:garage|deck|structure)|ledge|cliff|building|tower|dam) (?:is|was|would be)\b",
        r"\b(?:keep|keeps|kept|can'?t stop|cant stop) (?:thinking|thinkin) (?:about|abt|of) (?:the|all the|those|that) (?:drugs|meds|narcotics|fentanyl|morphine|ketamine|propofol|midazolam|potassium|vials?|syringes?|pills)\b.{0,30}\b(?:in|at|from) (?:the|our|my) (?:kit|cart|cabinet|med room|pyxis|rig|ambulance|truck|unit|bag|box|safe|lockbox|work)\b",
        negatable=False,
    ),
    # Affairs ended with no reason given ("cashed out my PTO and didn't renew my lease. Won't be
    # needing either"); a pet's microchip or registration moved to a relative.
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\b(?:cashed out|cashing out|closed|closing|cancel+ed|cancel+ing|didn'?t renew|not renewing|won'?t renew|let (?:my|the) (?:\w+ ){1,2}lapse|sold (?:my|the) (?:truck|car|house|bike|guns?))\b.{0,80}\b(?:won'?t|wont|will not|not going to|not gonna) (?:be )?need(?:ing)? (?:either|it|them|any of (?:it|them|that))\b",
        r"\b(?:switch\w*|transfer\w*|chang\w*|put|putting|mov\w*|sign\w*) (?:over )?(?:(?:her|his|their|the|my) )?(?:\w+'?s )?(?:microchip|chip|pet registration|registration)\b.{0,40}\bto (?:my|our) (?:sister|brother|mom|mother|dad|father|friend|best friend|neighbou?r|niece|nephew|son|daughter|cousin|aunt|uncle|parents)\b",
        negatable=False,
        unless=r"\b(?:new (?:phone|number|address|email|card|account|bank|job|one|place|apartment|house)|(?:i'?m|we'?re|were|we are|i am) moving|mov(?:ed|ing) (?:house|out|away|to|across)|changed (?:my )?(?:phone|number)|deploy\w*|travel\w*|autopay|updat\w*|replac\w*|switch(?:ed|ing)? (?:to|banks|carriers)|upgrad\w*)\b",
    ),
    # Thanks "for trying with me" after an understated goodbye ("dont think ill make it to
    # thursday. thanks for trying w me tho"), from the second red-team set.
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\b(?:thanks|thank you|thank u|thx|ty) for (?:trying|not giving up) (?:w|with|on) me\b|\b(?:thanks|thank you|thank u|thx|ty) for putting up with me\b.{0,40}\b(?:all this time|all these years|everything)\b",
        negatable=False,
        unless=ORDINARY_GOODBYE,
    ),
    # Violence told by an injury or a hiding place: a partner who broke a bone, a story told to
    # the ER; in Spanish, a parent who hit the other "otra vez", hiding in the bathroom.
    *_rules(
        "abuse_or_violence",
        "high",
        rf"\b{PARTNER} (?:broke|fractured|dislocated|cracked|split|busted) my (?:wrist|arm|nose|ribs?|jaw|fingers?|hand|lip|eye socket|collarbone)\b(?!.{{0,40}}\b(?:accident\w*|playing|game|practice|by mistake|basketball|soccer|football|wrestling|hockey)\b)",
        r"\btold (?:the )?(?:er|e\.r\.|doctor|doctors|hospital|nurse|school|teacher|police|cops) (?:that )?i (?:fell|tripped|walked into|slipped|ran into)\b",
        r"\b(?:le|me|nos|les) (?:pego|golpeo|golpea|pega) (?:a mi|a mis|a nosotros|otra vez|de nuevo|en la cara|con)\b|\bestoy escondid[ao]s? (?:en|de|debajo)\b",
        negatable=False,
    ),
    # Round 9, from the folded red-team records (families in our own words; see docs/SAFETY.md).
    # Affairs settled in Spanish ("ya dejé todo arreglado", the rent paid "para que no le quede
    # deuda", the phone cancelled because "no hará falta"), belongings given away in non-native
    # English, and a friend who posted a farewell and is not answering.
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\b(?:ya )?(?:deje|dejo|tengo|quedo|queda) todo (?:arreglado|listo|en orden|resuelto|organizado)\b",
        r"\bpara que no (?:le|les|te|me) (?:quede|queden|toque) (?:ninguna |ni una )?(?:deuda|deudas|pendientes?|nada (?:que|por) pagar)\b",
        r"\b(?:cancele|di de baja|deje pagad\w*|pague|regale|vendi)\b.{0,160}\bno (?:creo que )?(?:me )?(?:haga|hara|va a hacer|hace) falta\b",
        r"\b(?:give|gave|giving|given) (?:away )?all (?:of )?my (?:things|stuff|belongings|clothes|possessions)\b",
        negatable=False,
        unless=ORDINARY_ABSENCE,
    ),
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\bno (?:contesta|responde|me contesta|ha contestado|ha respondido)\b.{0,160}\b(?:gracias por todo|los quiero|me despido|adios a todos|perdon por todo)\b",
        r"\b(?:gracias por todo|los quiero mucho|me despido|adios a todos|perdon por todo)\b.{0,160}\bno (?:contesta|responde|ha contestado|ha respondido)\b",
        r"\b(?:isn'?t|not|hasn'?t been|stopped) (?:answering|picking up|responding)\b.{0,160}\b(?:thanks for everything|love you all|goodbye|said bye|sorry for everything)\b",
        r"\b(?:thanks for everything|love you all|goodbye|sorry for everything)\b.{0,160}\b(?:isn'?t|not|hasn'?t been|stopped) (?:answering|picking up|responding)\b",
        negatable=False,
    ),
    # Spanish: pills saved up, the dose that "se necesita" or "sería peligrosa" looked up, a visit
    # to a height "nomás a ver", a weapon kept by its slang name and killing by its euphemism.
    *_rules(
        "suicide_plan_or_intent",
        "high",
        r"\b(?:he guardado|guarde|estoy guardando|voy guardando|tengo guardad[ao]s|junte|he juntado|estoy juntando|tengo juntad[ao]s) (?:todas |todos )?(?:las|mis|los) (?:pastillas|pildoras|medicinas|medicamentos|tabletas)\b",
        r"\bcuant[oa]s? (?:pastillas |pildoras |tabletas )?(?:de )?\w+ (?:se necesita\w*|hace\w* falta|serian? peligros\w*|son peligros\w*|es peligros\w*|son letal\w*|es letal\w*|seria letal|matan?|para morir|para no despertar)\b",
        r"\b(?:fui|voy|fuimos|regrese|volvi|estuve|subi) (?:al|hasta el|a la|hasta la) (?:puente|azotea|techo|edificio|barranco|acantilado|presa)\b[^.?!]{0,40}\b(?:otra vez|de nuevo|nomas a ver|solo a ver|a mirar)\b",
        r"\b(?:puente|azotea|techo|edificio|barranco|presa)\b.{0,80}\bmas alto de lo que (?:pensaba|creia)\b",
        r"\b(?:planning|plan|planned|going|gonna|ready) to (?:go to )?sleep (?:for good|forever|permanently)\b",
        negatable=False,
        unless=r"\b(?:pastillero|organizador|farmacia|devolver\w*|desechar\w*|fiebre|dolor de|gripa|gripe|para (?:mi|el|la) (?:hij\w+|bebe|nin\w+)|trabajo|chamba|turno)\b",
    ),
    *_rules(
        "harm_to_others",
        "imminent",
        r"\b(?:le|lo|la|los) (?:doy|voy a dar|vamos a dar|damos|daria) (?:de baja|piso|cuello|matarile|chicharron)\b(?!.{0,20}\b(?:suscripcion|servicio|plan|cuenta|linea|seguro|contrato|tarjeta|membresia|gimnasio)\b)",
        r"\b(?:ya )?tengo (?:el|un) (?:fierro|cuete|fusca) (?:guardado|listo|cargado)\b",
        negatable=False,
    ),
    # Spanish: pills mixed with drink and a body alarm now; English: a whole blister pack.
    *_rules(
        "overdose_or_medical_emergency",
        "imminent",
        r"\b(?:mezcle|tome|me tome|trague|me trague)\b.{0,80}\b(?:pecho apretado|el pecho (?:me )?aprieta|no puedo respirar|me falta el aire|el corazon (?:me )?(?:late|va|esta) (?:muy )?(?:rapido|raro|a mil))\b",
        r"\b(?:took|taking|take|swallowed|ate|downed|popped) (?:the|a|my) (?:whole|entire|full) (?:blister ?pack|blister|sleeve|card of \w+)\b",
    ),
    # Violence: locked in, the phone or papers taken (Spanish and English), and a beating
    # minimised ("ya no me pega tanto, solo cuando llega tomado", "only hits me when he drinks").
    *_rules(
        "abuse_or_violence",
        "high",
        r"\b(?:me|nos) (?:encerro|encierra|encerraron|tiene encerrad[ao]s?|deja encerrad[ao]s?)\b",
        r"\b(?:me|nos) (?:rompio|quito|escondio) (?:el|mi|los|mis) (?:celular|telefono|pasaporte|documentos|papeles)\b",
        rf"\b(?:my )?{PARTNER} (?:took|takes|hid|hides|keeps|has taken|locked up) (?:my|our) (?:passport|green card|papers|documents|visa|car keys)\b(?!.{{0,40}}\b(?:renew\w*|embassy|consulate|post office|safekeeping|safe keeping|travel agent|dmv)\b)",
        r"\b(?:ya )?no me (?:pega|golpea) tanto\b|\bme (?:pega|golpea|pegaba)\b[^.?!]{0,40}\b(?:solo|nomas|nada mas) cuando\b",
        r"\b(?:only|just) (?:hits?|slaps?|hurts?|chokes?|shoves?|pushes?|beats?) me when\b|\bdoesn'?t (?:hit|slap|hurt|beat) me (?:as much|that much|as often)\b",
        negatable=False,
    ),
    # A hose or tube bought or cut to fit a car's exhaust (not a dryer's or a shop vacuum's).
    *_rules(
        "suicide_plan_or_intent",
        "high",
        r"\b(?:hose|tube|tubing|pipe)\b.{0,40}\b(?:exhaust|tailpipe|tail pipe)\b|\b(?:exhaust|tailpipe|tail pipe)\b.{0,40}\b(?:hose|tube|tubing)\b",
        negatable=False,
        unless=r"\b(?:dryer|vent|shop ?vac\w*|vacuum|mechanic|muffler shop|leak\w*|repair\w*|fix\w*|replac\w*)\b",
    ),
    # Spanish slang for pills with beer, and a heart "about to jump out" after taking something
    # (set 5's family; the heart alone is how a panic attack is told, not an overdose).
    *_rules(
        "overdose_or_medical_emergency",
        "imminent",
        r"\b(?:me meti|me eche|me tome|tome|trague)\b.{0,40}\b(?:pastas|pastillas|pildoras|chochos)\b.{0,40}\b(?:chelas|cheves|cervezas?|guaro|alcohol|tequila|vodka|trago\w*|pisto|mezcal)\b",
        r"\b(?:me meti|me eche|me tome|tome|trague|me trague|mezcle|fume|me inyecte)\b.{0,120}\b(?:el corazon se me va a salir|siento que me (?:muero|desmayo)|se me va el aire)\b",
        negatable=False,
        unless=r"\b(?:de (?:emocion|nervios|la emocion|alegria|risa|miedo)|examen|entrevista|concierto|boda|partido)\b",
    ),
    # Means obtained "to give him what he deserves" (Spanish and English).
    *_rules(
        "harm_to_others",
        "imminent",
        r"\b(?:consegui|ya tengo|compre) con que\b.{0,40}\b(?:darle|darles|hacerle|hacerles|acabar)\b",
        r"\b(?:got|have|bought|found) (?:something|what i need|the means) to (?:make (?:him|her|them) pay|give (?:him|her|them) what (?:he|she|they) deserves?)\b",
        negatable=False,
    ),
    # Sorry for being a burden; a message left for a clinician that "it's not her fault".
    *_rules(
        "suicidal_ideation",
        "high",
        r"\b(?:sorry|perdon|perdoname|forgive me|lo siento) (?:for |por )?(?:being|been|ser) (?:such )?(?:a|una) (?:burden|carga)\b",
        negatable=False,
    ),
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\btell (?:miss |mr\.? |ms\.? |mrs\.? |dr\.? )?\w+ (?:que |that )?(?:she|he|they) (?:helped|tried)\b.{0,40}\bnot (?:her|his|their) fault\b",
        negatable=False,
    ),
    # Command voices and a window, with the spellings of someone who writes by ear
    # ("las bozes me disen que me abente por la bentana").
    *_rules(
        "command_hallucinations",
        "high",
        r"\b(?:las |unas )?[bv]o[sczx]es me (?:di[sczx]en|ordenan|piden|mandan)\b",
        negatable=False,
    ),
    *_rules(
        "suicide_plan_or_intent",
        "imminent",
        r"\ba[bv]i?ent(?:e|o|arme|are) (?:por|de|desde) (?:la|el) (?:[bv]entana|balcon|puente|azotea|techo)\b",
        negatable=False,
    ),
    # Set 6's families: the rest of a bottle taken with a body alarm; the sums of a life policy
    # ("my family comes out ahead if I'm gone"); extra pills "hoping I don't wake up"; being
    # found; joining someone who died; infected or hidden wounds; a partner who throws things or
    # threatens to call immigration.
    *_rules(
        "overdose_or_medical_emergency",
        "imminent",
        rf"\b(?:took|swallowed|downed|finished) (?:the )?(?:rest|remainder|last) of (?:the|my|his|her) (?:\w+ )?(?:bottle|pack|box|pills|meds|prescription|script)\b.{{0,120}}{BODY_ALARM}",
    ),
    *_rules(
        "suicidal_ideation",
        "high",
        r"\b(?:comes?|coming|would come) out (?:ahead|better|on top)\b.{0,20}\bif i(?:'m| am| was| were)? (?:gone|dead|not here|not around)\b",
        r"\blife insurance\b.{0,80}\b(?:doing the math|do the math|ran the numbers|worth more dead)\b",
        r"\bhop(?:e|es|ing|ed) (?:that )?(?:one (?:night|day|morning) )?i (?:just )?(?:don'?t|won'?t|do not|will not|never) wake(?: up)?\b",
        negatable=False,
    ),
    *_rules(
        "suicide_plan_or_intent",
        "high",
        r"\bwhen (?:they|someone|somebody|she|he) finds? me\b(?!.{0,30}\b(?:a (?:job|place|spot)|an? (?:apartment|sitter|ride))\b)",
        r"\b(?:go|going|gonna) (?:to )?(?:see|join|be with) (?:my )?(?:\w+ ){1,2}soon\b.{0,40}\b(?:passed|died|passed away|is gone|in heaven)\b",
        negatable=False,
    ),
    *_rules(
        "self_harm",
        "high",
        r"\b(?:they'?ll|they will|they'?d|they would|they always|doctors?) (?:\w+ )?ask (?:me )?how (?:it|this|they|i) (?:happened|got (?:it|them|hurt))\b",
        r"\b(?:cuts?|wounds?|burns?) on my \w+\b.{0,60}\b(?:pus|yellow (?:stuff|gunk|liquid)|red and (?:hot|swollen)|infected|red streaks)\b",
        negatable=False,
    ),
    *_rules(
        "abuse_or_violence",
        "high",
        r"\b(?:threw|throws|throwing|hurled) (?:the |a |his |her |my )?(?:\w+ ){0,2}at (?:me|my head|my face)\b(?!.{0,20}\b(?:party|surprise|shower)\b)",
        r"\b(?:call|calling|report|reporting|turn|turning) (?:immigration|ice|la migra|migracion) on me\b|\b(?:get|have) me deported\b",
        r"\b(?:threw|throws|thrown|shoved|pushed|slammed) me (?:into|against|down|across|onto|through)\b(?!.{0,30}\b(?:pool|lake|water|game|party|snow|leaves|bed laughing)\b)",
        negatable=False,
    ),
    # Vomiting blood (after purging or anything else) is a medical emergency on its own.
    *_rules(
        "overdose_or_medical_emergency",
        "imminent",
        r"\b(?:threw|throw|throwing|thrown|puked|puking|vomited|vomiting) up blood\b|\b(?:vomited|vomiting|puked|puking|vomitando|vomite) (?:some )?(?:blood|sangre)\b",
    ),
    # Spanish wishing to die in the infinitive ("querer morirme"), so that its denial ("no es
    # nada de querer morirme") is judged by the lexicon and the clause is not re-read by MiniLM.
    *_rules(
        "suicidal_ideation",
        "high",
        r"\bquerer (?:morir(?:me)?|matarme|desaparecer)\b",
    ),
    # Spanish: burning oneself "para sentir algo"; not making it to the next appointment.
    *_rules(
        "self_harm",
        "high",
        r"\bme (?:quemo|queme|he quemado|sigo quemando|estoy quemando|quemaba) (?:\w+ ){0,2}(?:con (?:el |un |mi |los |unos )?(?:cigarros?|cigarrillos?|encendedor|cerillos?|fosforos?)|para sentir)\b",
        r"\bme (?:corto|quemo|rasguno|golpeo|lastimo) (?:\w+ ){0,3}para sentir (?:algo|alivio|dolor)\b",
        negatable=False,
    ),
    *_rules(
        "suicidal_ideation",
        "high",
        r"\bno creo que (?:llegue|este (?:aqui|viv[oa])|siga (?:aqui|viv[oa])) (?:a|para|en|hasta) (?:la|el|mi) (?:proxima|proximo|siguiente|navidad|cumpleanos)\b",
        negatable=False,
        unless=r"\b(?:trabajo|chamba|turno|viaje|trafico|enferm\w*|horario|tarde|carro|camion|escuela|clases|medico|doctor)\b",
    ),
    # Medication reactions a psychiatric nurse sends to the emergency room the same day, told as
    # a side-effect question: a rash with blisters, peeling, mouth sores or burning eyes (Stevens-
    # Johnson on lamotrigine or carbamazepine); the worst headache of a life with a body alarm (a
    # hypertensive crisis on an MAOI); stiff or twitching muscles with fever (neuroleptic
    # malignant or serotonin syndrome); an erection that will not go down (trazodone).
    *_rules(
        "overdose_or_medical_emergency",
        "high",
        r"\brash\b.{0,100}\b(?:blister(?:s|ing|ed)?|peeling|skin (?:is )?(?:coming off|peeling)|sores? (?:in|inside) (?:my|his|her|their) mouth|mouth (?:sores|ulcers|blisters)|eyes (?:burn\w*|are burning|sting\w*))\b",
        r"\b(?:blistering|peeling|mouth sores|sores (?:in|inside) my mouth)\b.{0,100}\brash\b",
        r"\bworst headache (?:of|in) my (?:whole |entire )?life\b.{0,120}\b(?:stiff neck|neck (?:is |feels )?stiff|pounding|racing|can'?t see|vision|throwing up|vomit\w*|confus\w*|numb\w*)",
        r"\b(?:stiff neck|neck (?:is |feels )?stiff|pounding|racing)\b.{0,120}\bworst headache (?:of|in) my (?:whole |entire )?life\b",
        r"\b(?:muscles?|body|neck|jaw|legs|arms) (?:\w+ ){0,2}(?:stiff|rigid|locked up|twitch\w*|jerk\w*)\b.{0,100}\b(?:fever|burning up|high temp\w*)\b",
        r"\b(?:fever|burning up|high temp\w*)\b.{0,100}\b(?:muscles?|body|neck|jaw|legs|arms) (?:\w+ ){0,2}(?:stiff|rigid|locked up|twitch\w*|jerk\w*)\b",
        r"\berection\b.{0,60}\b(?:for|over|more than) (?:\w+ )?hours\b|\berection\b.{0,40}\bwon'?t go (?:away|down)\b",
        unless=r"\b(?:poison (?:ivy|oak|sumac)|chicken ?pox|shingles|sunburn\w*|eczema|diaper|hand,? foot)\b",
    ),
    # Round 10 (set 7, a medication clinic's clients): the level or dose "people don't come back
    # from" looked up, a months' supply kept in a hiding place, an old bottle kept as the way
    # out ("my backup for bad nights is ...") or nearly used; being worth more dead because of a
    # policy; walking out into open water.
    *_rules(
        "suicide_plan_or_intent",
        "high",
        r"\b(?:level|dose|dosage|amount|how (?:many|much))\b.{0,60}\b(?:people|you|someone|somebody|a person|one) (?:don'?t|do not|never|wouldn'?t|won'?t|can'?t) (?:come back from|wake up from|wake up|survive|recover from)\b",
        rf"\b(?:(?:a few|several|two|three|four|six|\d+) )?(?:months?|weeks?)(?:'s?)? (?:worth )?of (?:it|them|my \w+|{PILLS}) (?:saved|stashed|hidden|tucked away|put away|set aside)(?: up)? (?:in|under|behind|at the back of) (?:the|my|a) (?:closet|drawer|car|glovebox|bag|box|shoebox|sock drawer|nightstand|mattress|garage|basement)\b",
        r"\b(?:insurance(?: policy)?|backup(?: plan)?|plan b|way out|exit (?:plan|strategy)|escape hatch|emergency exit) (?:for (?:the )?(?:bad|rough|hard|worst) (?:nights|days|times) )?(?:is|are|was) (?:a|the|my|an) (?:\w+ ){0,4}(?:bottle|stash|supply|pills|rope|gun|pistol|blades?)\b",
        r"\b(?:walk|walking|wade|wading|swim|swimming)(?: out)? (?:\w+ ){0,2}into (?:the|a) (?:lake|river|ocean|sea|bay|water|waves|surf|current|quarry)\b",
        unless=r"\b(?:fish\w*|kayak\w*|paddl\w*|canoe\w*|boat\w*|race|triathlon|lessons?|swim team|lifeguard|beach day|cool off|splash\w*|baptis\w*|dog|puppy|tide pools?|jk|just kidding|kidding|joking)\b",
    ),
    # Nearly using the means: an attempt interrupted (so a past one, years ago and resolved, is
    # history like any other attempt).
    *_rules(
        "suicide_attempt",
        "high",
        r"\bcame (?:really |so |very )?close to (?:cashing (?:it|them|my chips) in|using (?:it|them)|taking (?:it|them|all of (?:it|them))|going through with it|ending it)\b",
    ),
    *_rules(
        "suicidal_ideation",
        "high",
        r"\bworth more\b.{0,40}\b(?:dead|gone|(?:life )?insurance (?:pay\w*|money|check)|life insurance)\b|\blife insurance\b.{0,60}\bworth more\b",
        r"\b(?:funeral|passed|died|death|grave|buried|burial|lost)\b.{0,200}\b(?:rather|prefer to|wish i (?:was|were|could be)|want to|wanna|just want to) be (?:wherever|where) (?:\w+ ){1,3}(?:is|are|went)\b",
        negatable=False,
    ),
    # A pet or a tank handed to a relative, or a dog already rehomed; nobody left to look after
    # one "after" (set 7). An ordinary reason (a move, a trip, allergies) cancels it.
    *_rules(
        "goodbye_or_giving_away",
        "elevated",
        r"\b(?:my|our) (?:dog|cat|pets?|puppy|kitten|bird|birds|fish|fish tank|aquarium|bunny|rabbit|hamster|parrot) (?:is |are |was )?(?:going|goes|went) to (?:my|our|a) (?:\w+ )?(?:nephew|niece|sister|brother|cousin|friend|neighbou?r|son|daughter|aunt|uncle|mom|dad|mother|father)\b",
        r"\b(?:had|got|have|get|getting) (?:my|our) (?:dog|cat|pets?|puppy|kitten|bird|birds|bunny|rabbit|parrot) rehomed\b",
        r"\b(?:nobody|no one|noone) (?:would|will|'?ll|is going to|gonna) be (?:around|here|there|left) to (?:look after|take care of|care for|feed|walk|watch)\b",
        negatable=False,
        unless=ORDINARY_ABSENCE,
    ),
    # Veiled threats against a named person: "he's going to have an accident" (not a toddler or
    # a puppy in toilet training); a partner who "got physical" (not physical therapy).
    *_rules(
        "harm_to_others",
        "high",
        r"\b(?:he|she|they|my (?:boss|supervisor|manager|coworker|co-worker|foreman|ex|neighbou?r|landlord|stepdad|teacher))\b(?:'s| is| are|'re)? (?:going to|gonna|might|will|could|better watch out or he'?ll) (?:have|meet with) (?:an?|a little|a bad|some kind of|an unfortunate) (?:\w+ )?accident\b",
        negatable=False,
        unless=r"\b(?:potty|toilet|bathroom|diapers?|pee\w*|poop\w*|pants|puppy|kitten|toddler|training|car seat|slippery|icy|ice|careful)\b",
    ),
    *_rules(
        "abuse_or_violence",
        "high",
        r"\b(?:he|she|they|my (?:\w+ )?(?:husband|wife|partner|boyfriend|girlfriend|bf|gf|ex|dad|mom|father|mother|stepdad|stepmom|brother|son|roommate))\b (?:got|gets|getting|has gotten|was getting|went) physical\b(?! (?:therapy|exam\w*|custody|education|activity|health|pt\b))",
        negatable=False,
    ),
    # Round 11 (set 8, an employee-assistance practice: drivers, seafarers, warehouse and gig
    # workers, owners gone bankrupt, gamblers, people facing court; much of it voice-to-text).
    # Plain methods: stepping in front of a train or a lorry (any words between), turning the
    # wheel into oncoming traffic or off a bridge, taking a boat out with fuel for one way,
    # sitting with a gun in one's lap, "cease to exist" in the spellings dictation makes of it.
    *_rules(
        "suicidal_ideation",
        "high",
        r"\b(?:step|walk|jump|throw myself)(?:ping|ing)? (?:out )?in front of (?:a|an|the) (?:\w+ ){0,2}(?:train|bus|truck|semi|lorry|tram|subway|18 wheeler|eighteen wheeler|big rig)\b",
        r"\b(?:think(?:ing)? (?:about|abt|of)|tempted to|want(?:ed)? to|wanna|urge to|almost|nearly|could just|going to|gonna|felt like) (?:just )?(?:turn|jerk|swerve|yank|steer|drive|veer|driv)\w* (?:the wheel |my (?:car|truck|rig) |the (?:car|truck|rig) |it )?(?:into|off|in front of) (?:the )?(?:oncoming|traffic|a semi|an? (?:18|eighteen)[- ]wheeler|the median|a bridge|the bridge|the overpass|the guardrail|the river|a wall|a tree|a pole)\b",
        r"\b(?:rather|wish|want(?: to)?|wanna|would like to|i'?d|id|i|just|could) (?:\w+ )?(?:cease|ceese|seas|sease|seize|sieze|cese|ceas) (?:to |2 )?exist(?:ing)?\b",
        negatable=True,
        unless=r"\b(?:avoid\w*|deer|swerved to miss|dodg\w*|accident report|movie|game|video game)\b",
    ),
    *_rules(
        "suicide_plan_or_intent",
        "high",
        r"\b(?:boat|skiff|kayak|canoe|dinghy|jon boat)\b.{0,80}\b(?:only|just) enough (?:fuel|gas|gasoline|diesel) to (?:get|go|make it|head) (?:out|past|there)\b",
        r"\b(?:gun|pistol|revolver|glock|handgun|rifle|shotgun|the (?:9|nine|38|45|\.38|\.45)(?! (?:\w+ )?(?:months?|years?|yrs?|weeks?|days?|hours?|mins?|minutes?|o'?clock|am|pm)\b)) (?:\w+ ){0,2}(?:in|on|across) my (?:lap|hands?|mouth|temple)\b",
        r"\b(?:booked|got|rented|checked into) (?:a|an) (?:motel|hotel|airbnb|cabin)(?: room)?\b.{0,60}\b(?:just me|alone|by myself)\b.{0,40}\bpaid (?:in )?cash\b",
        unless=r"\b(?:clean\w*|range|hunt\w*|holster\w*|gun safe|lock\w* (?:it|them) up|class|course|vacation|conference|work trip|and back|round trip|return\w*|refuel\w*)\b",
    ),
    # Suicide told as money: the family "better off" with the payout, a policy's suicide
    # exclusion running out, settling one's accounts "for good", being "collected on", the
    # policy paying the debts "one way or another"; "done being the problem".
    *_rules(
        "suicide_plan_or_intent",
        "high",
        r"\b(?:kids|children|family|wife|husband|son|daughter|they|them|everyone|mom|dad)\b (?:\w+ ){0,2}(?:be|are|do|does|'?d be) (?:better (?:off?|of)|happier|fine)\b (?:\w+ ){0,2}(?:with|collecting) (?:the |my |a )?(?:pay ?out|life insurance|insurance (?:money|check|payout)|policy|death benefit)\b",
        r"\b(?:better (?:off?|of)|do(?:es)? better) (?:\w+ ){0,2}collect(?:ing)? on (?:me|my (?:life|policy|life insurance))\b",
        r"\b(?:suicide|\d|one|two|2 ?yr|two ?yr)[- ]?(?:yr|year)?s? (?:\w+ )?(?:exclusion|clause|waiting period)\b.{0,100}\b(?:is up|runs out|ends|expires|is over|pays?)\b",
        r"\bpays?(?: out)? (?:no matter|regardless (?:of )?) how (?:it happens|i die|you die|i go|it goes)\b",
        r"\bsettl(?:e|ing) (?:my|all my) (?:accounts|debts|affairs|tab) (?:for good|once and for all|permanently|forever|one last time)\b",
        r"\b(?:one way or (?:another|the other)|either way)\b.{0,40}\b(?:the|my) (?:life insurance|policy|insurance) (?:covers?|pays?|will cover|will pay)\b",
        negatable=False,
    ),
    *_rules(
        "suicidal_ideation",
        "elevated",
        r"\b(?:i'?m|im|i am) (?:so )?(?:done|tired of|sick of) being (?:the|a|everyone'?s) (?:problem|burden)\b",
        negatable=False,
    ),
    # Letters left for the family beside the insurance papers, the passwords or a title.
    *_rules(
        "goodbye_or_giving_away",
        "high",
        r"\b(?:letters?|notes?)\b[^.?!]{0,150}\b(?:life insurance|insurance (?:polic\w+|papers|documents))\b",
        r"\b(?:life insurance|insurance (?:polic\w+|papers|documents))\b[^.?!]{0,150}\b(?:letters?|notes?)\b",
        r"\bsee (?:you all|y'?all|yall|everyone|you guys|ya all|all of you|ya) on the other side\b(?! of)",
        r"\b(?:left|dropped off|gave) (?:\w+ ){0,4}(?:the|my|our) (?:dog|cat|pets?|puppy|kitten) (?:with|to|at) (?:my|our) (?:\w+ )?(?:sister|brother|mom|mother|dad|father|friend|neighbou?r|cousin|son|daughter|aunt|uncle)\b(?=.{0,80}\b(?:won'?t|dont|don'?t|not) (?:think (?:i'?ll|ill) )?(?:need|be (?:back|coming|needing))\b)",
        negatable=False,
        unless=r"\b(?:(?:letter|note|notice|email|call) from|(?:wants?|needs?|asks? for|asking for|requires?) (?:a|an) (?:\w+ )?(?:letter|note)|(?:letter|note) (?:saying|stating|that says|confirming|about my (?:treatment|counseling|therapy))|premium|claim|quote|renewal|bill\w*|beneficiar\w*|agent|open enrollment|of (?:the|this) (?:week|month|year|semester|holidays?|break|surgery|move)|vacation|trip)\b",
    ),
    # Threats: running someone over with a vehicle, "settle up with everybody" at work, a gun
    # shown from a car; a lender's men who broke bones and named the client's child "next".
    *_rules(
        "harm_to_others",
        "high",
        r"\b(?:run|running|ran)\b (?:him|her|them|(?:my|that|this|the) (?:\w+ ){0,3}?(?:brother in law|sister in law|boss|ex|neighbou?r|husband|wife|supervisor|foreman|coworker|co-worker|landlord|guy|bastard|father in law))\b over\b(?! (?:to|there|for|at|the|my|some|it|this|that|here))",
        r"\bsettl(?:e|ing) (?:up|the score|things|it|scores) with (?:everybody|everyone|all of (?:them|you)|the (?:whole )?(?:shift|crew|office|team|second shift|night shift)|them all)\b",
        r"\b(?:showed|flashed|showing|flashing) (?:\w+ ){1,3}(?:a |his |her |the )?(?:gun|pistol|handgun|piece|knife|weapon) (?:in|from|under) (?:his|her|their|the) (?:glove ?box|car|truck|bag|backpack|waistband|locker|jacket|pocket)\b",
        unless=r"\b(?:almost|nearly|accidentally|by accident|didn'?t see|backing out|parking lot|hunt\w*|range|collection|gun safe|lol|jk|haha)\b",
    ),
    *_rules(
        "abuse_or_violence",
        "high",
        r"\b(?:bookie'?s?|loan sharks?|collectors?|dealer'?s?|guys|men|thugs|goons)\b.{0,80}\b(?:broke|smashed|broken|crushed) (?:\w+ ){0,3}(?:fingers?|hand|arm|ribs|nose|jaw|legs?|kneecaps?|teeth)\b",
        r"\b(?:said|says|told me|threatened|threatening|warned)\b.{0,40}\bmy (?:daughter|son|kids?|children|wife|husband|family|girl|boy|baby)\b (?:is|are|'s|will be) next\b",
        negatable=False,
    ),
    # Lithium toxicity told as a question (set 7's b7-163 paged through the learned layer alone
    # until the round-11 refit moved it under the threshold): lithium with confusion, a tremor
    # or coarse shaking, stumbling, slurred speech, or vomiting and diarrhoea (often after an
    # NSAID, an ACE inhibitor or a diuretic was started) goes to the emergency room the same day.
    *_rules(
        "overdose_or_medical_emergency",
        "high",
        r"\blithium\b.{0,200}\b(?:confus\w*|disoriented|stumbl\w*|slurr\w*|can'?t (?:walk|stand) straight|"
        r"(?:very |really |so )?shaky|shaking (?:badly|all over|so much)|vomit\w*|throwing up|diarrh\w*|twitch\w*|"
        r"not (?:herself|himself|themselves|making sense))\b",
        r"\b(?:confus\w*|disoriented|stumbl\w*|slurr\w*|vomit\w*|throwing up)\b.{0,120}\blithium\b",
        unless=r"\b(?:level (?:was|is|came back) (?:normal|fine|good|in range)|years ago|used to)\b",
    ),
    # A dead relative's voice telling the client to turn the wheel, step out, or jump.
    *_rules(
        "command_hallucinations",
        "imminent",
        r"\b(?:voices?|he|she|they|dad|mom|father|mother|brother|sister|grandpa|grandma|it)\b.{0,80}\b(?:tell\w*|told|says?|said|saying|keeps? telling) (?:me )?to (?:turn|jerk|swerve|yank|steer|drive|crash|walk|step|jump)\b(?: \w+){0,3} (?:into|off|in front of) (?:the )?(?:oncoming|traffic|a semi|a truck|a train|the other lane|a wall|a tree|the river|the lake|the median|a pole|a bridge|the bridge|the edge)\b",
        negatable=False,
    ),
]

# ---- idioms and academic uses: masked out before matching --------------------------------
IDIOMS: list[re.Pattern[str]] = [
    re.compile(p)
    for p in (
        r"\bdying (?:to|for|of (?:laughter|embarrassment|boredom|curiosity)|laughing)\b",
        r"\b(?:dead|dying) (?:tired|on my feet|beat|serious|set|ringer|wrong|last|center|even|end|of boredom)\b",
        r"\bto die for\b|\bdied laughing\b|\b(?:my|the) (?:phone|battery|car|laptop|computer|plant|plants|printer|wifi) (?:is |was )?(?:dead|died|dying)\b",
        r"\b(?:is|are|was|were|it's|its|that's|thats) killing (?:me|it)\b|\bkilling it\b|\bkill(?:ing)? time\b|\bkill for (?:a|some|an)\b|\bkill two birds\b",
        r"\b(?:will|would|gonna|going to|is going to|is gonna|'ll) (?:literally )?kill me\b(?= (?:if|when|for|because))",
        r"\b(?:suicide|self[- ]?harm|suicidal) (?:prevention|awareness|hotline|lifeline|statistics|stats|rates?|research|training|screening|risk assessments?|assessment|squad|bombers?|pact (?:movie|film|book)|crisis line|safety plan(?:ning)? (?:template|worksheet|training))\b",
        r"\b(?:paper|essay|class|course|presentation|project|book|memoir|novel|documentary|article|show|movie|film|series|podcast|training|research|thesis|exam|lecture|module|unit|chapter|episode|song|report|assignment|webinar|workshop|question) (?:on|about|covering|regarding) (?:teen |youth |adolescent |veteran )?(?:suicide|self[- ]?harm|suicidal \w+|overdose\w*|domestic violence|domestic abuse|child abuse|psychosis|schizophrenia)(?: prevention| risk| awareness| rates)?\b",
        r"\b(?:killed|kills|kill) (?:the|my|a) (?:spider|bug|bugs|mood|vibe|lights?|engine|process|weeds?|plant|plants|battery|conversation|joke)\b",
        r"\bhit by (?:a|the) (?:ball|baseball|softball|pitch|puck|frisbee|pillow|swing)\b",
        r"\b(?:me quiero|me voy a|me iba a|casi me|me podria) morir de (?:la )?(?:verguenza|risa|pena|hambre|sueno|calor|frio|aburrimiento|envidia|nervios)\b|\bme muero de (?:la )?(?:verguenza|risa|pena|hambre|sueno|calor|frio)\b",
        r"\bhow (?:you |they |clinicians |therapists |counselors |doctors )?(?:assess|screen for|evaluate|ask about) (?:for )?(?:suicid\w*|self[- ]?harm)(?: risk)?\b|\b(?:suicid\w*|self[- ]?harm)(?: risk)? (?:is|are|gets) (?:assessed|screened|evaluated)\b",
        r"\b(?:for|in) (?:my|a|our) (?:\w+ )?(?:class|course|seminar|paper|project|assignment|homework|thesis)\b[^.?!]{0,80}\b(?:non-?suicidal (?:self[- ]?)?\w+|suicid\w*|self[- ]?(?:harm|injury)\w*|overdos\w*)\b",
        r"\bi could just die\b(?= of embarrassment)|\b(?:bored|scared|worried|embarrassed) to death\b",
        r"\boverdo(?:ne|ing|ne it)?\b",
        rf"\b(?:end|ending|ended|break|breaking) (?:it|things) (?:off )?with (?:him|her|them|my (?:bf|gf|boyfriend|girlfriend|partner|husband|wife|ex|fiance\w*|date)|(?!(?:a|an|the|some|my|these|those|\w+ pills|rope|gun|knife|alcohol|booze|vodka|whiskey|wine|liquor|drugs?|coke|cocaine|meth|carfentanil|everything|it|all|this|that|{PILLS})\b)[a-z]+ (?=(?:this|next|tonight|tomorrow|soon|for good|once and for all|finally)\b))",
        r"\bcut (?:my ?self|me) (?:a|an|some|another) (?:\w+ ){0,2}(?:slice|piece|break|deal|portion|bit|chunk|wedge)\b",
        r"\bwhat ['\"]?(?:unalive|kms|sewer ?slide|ctb)['\"]? (?:means|stands for)\b|\bthe (?:word|term) ['\"]?(?:unalive|kms|sewer ?slide)\b",
        r"\b(?:the )?self[- ]?harm (?:parts?|scenes?|content|chapters?|storyline|plot|passages?)\b",
        r"\b(?:overdose|suicide|opioid|drug) (?:response|crisis|deaths?|epidemic|rates?|statistics|prevention|awareness|reversal|training|kits?|month|day|walk)\b|\bnarcan\b",
        r"\b(?:supporting|support|helping|help|working with|work with|resources for|book (?:on|about|for)|guide (?:for|to)|advice for) (?:someone|people|students|teens|kids|clients|patients|a friend|friends|loved ones|a loved one|a student|a teen) who (?:self[- ]?harms?|cuts?|is suicidal|are suicidal|struggles? with \w+|attempted \w+)\b",
        r"\b(?:difference between|definition of|define|defining) [^.?!]{0,60}\b(?:suicid\w*|self[- ]?harm\w*|ideation)\b",
        r"\bdomestic (?:violence|abuse) (?:shelters?|hotline|awareness|advocates?|advocacy|training|resources|research|programs?|agencies|services)\b",  # "overdid it at the gym" must never look like "od"
        r"\b(?:the|that) (?:show|movie|film|book|game|character|episode) .{0,40}\b(?:kill(?:s|ed)? (?:himself|herself)|suicide)\b",
        r"\bkill(?:ed|s)? (?:himself|herself) (?:in|on) (?:the|that) (?:show|movie|film|book|episode|game|novel)\b",
        r"\bcould (?:just )?sleep (?:forever|for days|for a week|all day)\b",
        r"\b(?:survivors? of|support groups? for|groups? for|resources for|recovering from) (?:\w+ ){0,2}(?:domestic violence|domestic abuse|abuse|sexual assault|suicide loss|self[- ]?harm)\b",
        r"\b(?:died by|death by|lost (?:\w+ ){1,3}to|loss to|after (?:his|her|their|my \w+'s)) suicide\b|\b(?:his|her|their|\w+'s) suicide (?:anniversary|loss)\b|\bsuicide loss\b|\banniversary of (?:his|her|their|my \w+'s) (?:suicide|overdose|death)\b",
        r"\b(?:the|a|that|this|my) (?:movie|show|film|book|memoir|novel|episode|series|documentary|song|character)\b[^.?!]{0,40}\b(?:overdos\w*|suicid\w*|killed (?:himself|herself|themselves)|self[- ]?harm\w*)",
        # round 4: someone else's death from an overdose is grief; a book's subject is not the client's.
        r"\b(?:passed away|died|dying|death|lost (?:\w+ ){1,3}|losing (?:\w+ ){1,3}) (?:from|of|to|after) (?:an? |his |her |their )?(?:accidental )?(?:overdose|od|fentanyl overdose|drug overdose)\b",
        r"\b(?:memoir|novel|book|documentary|film|movie|podcast|article|series|biography|autobiography|play|poem|essay) (?:by|about|from|of|on|featuring|where|in which) [^.?!]{0,60}?\b(?:domestic (?:violence|abuse)|abus\w*|suicid\w*|self[- ]?harm\w*|overdos\w*|cut(?:s|ting)? (?:herself|himself|themselves)|rape|assault\w*)",
        r"\b(?:the|a|this|one) (?:main )?(?:character|protagonist|narrator|heroine|hero)\b[^.?!]{0,40}\b(?:cuts?|cutting|hurts?|hurting|kills?|killing|harms?|harming|starves?|starving|burns?|burning) (?:herself|himself|themselves)\b",
        r"\bfak(?:e|ing|ed) (?:my|our|his|her|their) (?:own )?deaths?\b",
        r"\b(?:his|her|their|my \w+'?s|\w+'s) (?:overdose|suicide|od)\b(?=[^.!?;]{0,40}\b(?:years? ago|anniversary|grief|memorial|funeral|in (?:19|20)\d\d)\b)",
        # round 6: "thought I was going to die" at a race or a workout; study or work on a topic, people in general, a protocol for patients.
        r"\bthought (?:i was|i'?d|id) (?:going to|gonna|gona) die\b(?=[^.!?]{0,60}\b(?:mile|race|marathon|finish\w*|crossed|workout|gym|class|hike|climb|laugh\w*|embarrass\w*|lol|haha)\b)",
        r"\b(?:thesis|dissertation|capstone|paper|poster|study|literature review|review articles?|research|project|grant|curriculum|class|seminar|talk|protocol|policy|tesis|trabajo|estudio|investigacion|articulo|curso|taller)(?: is| was| will be| es)? (?:on|about|regarding|covering|sobre|de|del) (?:\w+ ){0,3}?(?:non-?suicidal \w+|self[- ]?(?:harm|injury)\w*|nssi|suicid\w*|overdos\w*|autolesion\w*|prevencion del suicidio)",
        r"\b(?:columbia )?suicide (?:severity|risk) (?:rating )?(?:scales?|screen\w*|tools?|instruments?|assessments?)\b|\bc-?ssrs\b|\bprevencion del suicidio\b",
        r"\b(?:most |many |some |all )?(?:people|those|patients|clients|veterans|teens|men|women|kids|students|survivors) who (?:attempt|attempted|die by|died by|think about|survive\w*|self[- ]?harm|overdose)\b(?: suicide)?[^.?!]{0,60}|\b(?:go on to |to )die by suicide\b",
        r"\b(?:if|when|how) (?:a|the|our|your) (?:patient|client|student|caller|resident|member|kid|child) (?:discloses?|reports?|mentions?|presents? with|has|had|is having|tells you about) (?:an? )?(?:overdose|suicidal \w+|self[- ]?harm|suicide attempt|plan)\b",
        r"\b(?:hit|hits|threw|throws|smacked|whacked|got) (?:me|us|him|her) with (?:a|the|his|her|my) (?:pillow|snowball|water balloon|nerf \w+|foam \w+|ball|frisbee|sock)\b|\bpillow fights?\b",
        # round 10: an earlier message referred to ("the number is in my last message"); objects
        # that "died a hero's death" or are mourned with "RIP to my ...".
        r"\b(?:in|see|per|since|from|re|to|answer(?:ed)?|repl(?:y|ied) to|respond(?:ed)? to|mentioned in|attached to|with|check) my (?:last|previous|earlier|other) (?:message|msg|email|text|note|portal message)\b",
        # round 11: "I'd rather die than sit through ..." told as a joke someone laughed at.
        r"\b(?:rather|sooner) die than\b(?=[^.?!]{0,80}\b(?:laughed|laughing|lol|haha|lmao|joking|kidding|jk)\b)",
        r"\bdied a (?:hero'?s|noble|tragic|glorious) death\b|\b(?:rip|r\.i\.p\.?|rest in peace) (?:to )?(?:my|the|our) (?:\w+ )?(?:bottle|phone|laptop|car|charger|plant|plants|shoes|headphones|sunglasses|pills|keys|wallet|mug)\b",
    )
]

NEGATION = re.compile(
    r"\b(?:not|never|no|dont|don't|do not|doesnt|doesn't|didnt|didn't|wouldnt|wouldn't|would never|"
    r"wont|won't|will not|isnt|isn't|aint|ain't|nor|deny|denies|denied|without|nunca|no tengo|jamas|"
    r"no thoughts of|no intention|no plans? to|zero|nobody|nobody'?s|no one|no one'?s|noone|"
    r"(?:haven'?t|havent|have not|hasn'?t|has not) (?:had|felt|been having) (?:any )?(?:thoughts?|urges?|ideas?|feelings?)(?: of| about)?)\b"
)
# A negated hit still counts when the sentence hedges or limits it in time, or goes on to admit the
# thoughts: "I'm not going to kill myself tonight but I keep thinking about it" is risk; "I'd never
# hurt myself" and "no thoughts of hurting myself" are not.
HEDGE = re.compile(
    r"\b(?:promise|probably|maybe|"
    r"i think|don'?t think|dont think|not sure|unsure|i guess|i hope|hopefully|try not|trying not|"
    r"can'?t promise|won'?t be able|todavia)\b"
)
# A time limit hedges a denial only when it comes after the negation ("not tonight", "won't ...
# today"); "rate safety today: 10/10, no thoughts of harming myself" is a plain denial (round 6).
TIME_LIMIT = re.compile(r"\b(?:tonight|tonite|today|right now|rn|yet|for now|anymore|any more)\b")
# "No thoughts of X" reports a state; a time after it ("... today") dates the report, not a hedge.
STATE_DENIAL = re.compile(
    r"\bno (?:\w+ )?(?:thoughts?|urges?|intent\w*|plans?) (?:of|about|abt|to)\b"
)
# Rules whose meaning holds a negation are not cancelled by one, but a denial right in front of
# the match is still a denial: "not done with life", "no thoughts of being better off dead".
DIRECT_DENIAL = re.compile(
    r"\b(?:not|no (?:\w+ )?(?:thoughts?|urges?|feelings?|ideas?) (?:of|about|abt|that))\s+"
    r"(?:being\s+|feeling\s+|really\s+)?$"
)
ADMISSION = re.compile(
    r"\b(?:but|though|tho|although|except|pero)\b.{0,50}\b(?:think|thinking|thought|thoughts|urge|urges|"
    r"keep|keeps|sometimes|part of me|scared|afraid|tempted|can'?t stop|cant stop|don'?t know|dont know|"
    r"not sure|pienso)\b|\b(?:yet|for now|tonight|today|right now)\b"
)
# A comma followed by a new subject starts a new clause: a negation before it does not reach a match
# after it ("he'll make sure I never see the kids, he slapped me").
NEW_SUBJECT = re.compile(r",\s*(?:and |then |so )?(?=(?:he|she|they|i|my \w+)\b)")
CLAUSE_BREAK = re.compile(
    r"[.!?;\n]+|\s[-–—]+\s|\s(?:but|pero)\s|,\s*(?=(?:but|and|so|tho|though)\b)"
)
RECENT = re.compile(
    r"\b(?:yesterday|last (?:night|week|weekend|month)|this (?:morning|week|weekend)|tonight|today|"
    r"just|again|recently|a few days ago|few days ago|days ago|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"ayer|anoche|esta semana)\b"
)
LONG_AGO = re.compile(
    r"\b(?:years? ago|in (?:high school|college|my teens|my twenties|19\d\d|20[01]\d)|as a (?:teen|teenager|kid)|"
    r"when i was (?:young|younger|a teen|a teenager|\d+|a kid|in)|long time ago|a long time|decade ago)\b"
)
IMMEDIATE = re.compile(
    rf"\b{TIME_NOW}\b|\b(?:already|just took|just swallowed|goodbye|about to|in a few minutes|final)\b"
)

# ---- round 4: context that turns a risk word into history, a form answer or someone's story ----
# A disclosure anchored in the past ("when I was 16", "back in college", "in 2021") in a message
# that also states present wellness ("I'm in a good place", "2 years sober") and holds NO current
# cue is history for a form, not a page. Any current cue ("again", "lately", "the urges are back")
# keeps every hit.
PAST_ANCHOR = re.compile(
    r"\b(?:(?:\d+|a few|few|many|several|two|three|four|five|six|seven|eight|nine|ten|twenty) years? ago|"
    r"years ago|a long time ago|long ago|decades? ago|in (?:high school|middle school|college|"
    r"grad school|my teens|my twenties|my 20s|19\d\d|20\d\d)|back in (?:\d{4}|the day|high school|"
    r"college|my \w+|\w+ school)|as a (?:teen|teenager|kid|child)|when i was (?:young|younger|a teen|"
    r"a teenager|\d+|a kid|in (?:high school|college|my \w+))|used to|(?:the|my) scars (?:are|were) "
    r"(?:old|faded)|old scars|\d{4} (?:hospitali[sz]ation|attempt|overdose)|hace (?:muchos |varios |unos )?anos|hace (?:como |unos )?(?:\d+|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|quince|veinte) anos|(?:alla )?(?:por|en) (?:19|20)\d\d|"
    r"cuando (?:era|tenia) (?:joven|nin[oa]|\d+)|ha (?:muitos )?anos|very much in the past|"
    r"in the past|behind me|back in (?:undergrad|grad school|the army|the military|the service)|at age \d+|"
    r"at 1[3-9]|remember (?:when|the (?:night|day|time))|when i (?:got back|came back|came home|returned) from|when i was (?:pregnant|"
    r"postpartum|drinking|using|deployed)|scars? (?:are|is) still (?:there|visible))\b"
)
PRESENT_WELLNESS = re.compile(
    r"\b(?:(?:doing|been doing|feeling) (?:really |so |very )?(?:well|great|good|fine|better)(?: these days| lately| now)?|"
    r"(?:in|at) a (?:really |very |much )?(?:good|great|better|healthy|stable) (?:place|spot)|"
    r"(?:been|stayed|staying) (?:well|stable|fine|good|sober|clean|healthy|safe)(?: ever since| since| for)|"
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|many) (?:years?|months?) (?:sober|clean|free|in recovery|of sobriety)|"
    r"(?:sober|clean|in recovery) (?:for )?(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|many) (?:years?|months?)|"
    r"haven'?t (?:\w+ )?since|"
    r"haven'?t (?:\w+ ){0,3}(?:in|for) (?:\d+|a few|many|several|two|three|four|five|ten) (?:years?|months?)|"
    r"stable (?:on \w+ )?(?:since|for|ever since)|"
    r"(?:i'?m|im|i am|i feel|i'?ve been|ive been) (?:really |totally |completely |very |perfectly )?"
    r"(?:fine|okay|ok|good|great|well|stable|happy|healthy|safe)(?: and (?:happy|healthy|stable|well|"
    r"good|great|safe|doing great))?(?: now| these days| today| lately)?|long gone|"
    r"(?:very much |all |well )?in the past|behind me|a different person|peer support|recovered|"
    r"(?:ya )?estoy (?:muy )?bien|ya (?:lo )?supere|ya paso|estou bem|handled it (?:really |so |pretty )?well|"
    r"share a win|proud of myself|no (?:thoughts|urges|attempts|episodes|problems|issues|relapses) since|"
    r"(?:nothing|none) since|stopped (?:at|by|around|when i was) (?:age )?\d+|doing (?:ok|okay)|"
    r"desde entonces (?:estoy|he estado) bien|(?:con|gracias a) la (?:terapia|medicina|medicacion)[^.!?]{0,40}\bya no)\b"
)
CURRENT_CUE = re.compile(
    r"\b(?:again|lately|recently|these days|this (?:week|month|morning|weekend|year)|last (?:night|"
    r"week|weekend|month)|yesterday|tonight|right now|rn|currently|"
    r"(?<!when i )(?<!when i first )(?:started|starting)(?! (?:with you|seeing you|therapy|treatment|here|at the|working|school|college))|coming back|"
    r"still (?:have|having|get|getting|think|thinking|feel|feeling|struggl\w*|hear|hearing|want|"
    r"cut|cutting|do it|doing it|there|happening)|"
    r"came back|(?:are|is|they'?re|it'?s) back|urges?|tempted|miss (?:it|doing it|cutting)|relaps\w*|"
    r"slipped|struggl\w*|worse|scared|afraid|thinking about (?:it|them|that|doing it)|can'?t stop|"
    r"ayer|anoche|otra vez|de nuevo|ultimamente|todavia|de novo)\b"
)
PAST_CATEGORIES = frozenset(
    {
        "suicidal_ideation",
        "self_harm",
        "suicide_attempt",
        "overdose_or_medical_emergency",
        "abuse_or_violence",
        "command_hallucinations",
    }
)
# A questionnaire item quoted and answered no: "asks about being better off dead - that's a no".
QUESTIONNAIRE = re.compile(
    r"\b(?:phq\w*|gad\w*|forms?|questions?|questionnaires?|items?|surveys?|screeners?|screening|"
    r"intake|checkbox|check ?box|asks? (?:about|if|whether)|asking (?:about|if)|asked (?:me )?(?:about|if|whether))\b"
)
# Round 9: a form or application that asks about the past ("the intake form asks if I ever ...",
# "en el formulario preguntan si alguna vez ..."): with a past anchor and present wellness in the
# message, the item's own sentence is history like the answer's.
FORM_QUESTION = re.compile(
    r"\b(?:forms?|questionnaires?|intake|paperwork|application|insurance|formulario|cuestionario)\b"
    r"[^.?!]{0,40}\b(?:asks?|asking|asked|pregunta\w*) (?:about|if|whether|si)\b"
)
# How a client reports marking an item ("I put", "I circled") and the "no" they marked, shared by
# the answer after the item and the answer before it.
_ANSWER_VERBS = "said|put|answered|marked|checked|circled|picked|chose|clicked|selected"
_NO_MARKED = r"(?: a| an)? ['\"]?(?:no|not at all|never|zero|0|none|nope)"
ANSWERED_NO = re.compile(
    rf"\b(?:(?:that'?s|thats|it'?s|its|answer(?:ed)? (?:is|was)?|i (?:{_ANSWER_VERBS}|meant))"
    rf"{_NO_MARKED}|not at all for me|"
    r"a no for me|no for me|(?:i'?m|im|i am) not(?=\s*[,.!;])|"
    r"i (?:haven'?t|have not|never have|didn'?t|did not)(?=\s*[,.!;]))\b|"
    r"^[\s:\-=\"']*(?:not at all|no|never|none|nope|zero|0)\b"
)


# The answer given before the item in the same sentence: "on the PHQ I put 0, no thoughts of ...".
ANSWERED_NO_BEFORE = re.compile(rf"\bi (?:{_ANSWER_VERBS}|scored){_NO_MARKED}\b")
# ...unless the answer is taken back before the item: "I put 0 but honestly ...".
CONTRAST = re.compile(
    r"\b(?:but|though|tho|although|honestly|actually|truth is|really|lied|pero)\b"
)
# An answer taken back after it is given: "I said no. I lied."
TAKEN_BACK = re.compile(
    r"\b(?:i lied|lied about it|(?:that'?s|that was|it'?s|it was|wasn'?t|isn'?t) (?:not )?(?:true|a lie)|"
    r"(?:honestly|actually|truthfully),? (?:yes|i do|i have|i am))\b"
)


@dataclass(frozen=True)
class NormalisedText:
    """Folded text for matching plus, per folded character, its index in the original."""

    text: str
    origin: list[int]

    def span(self, start: int, end: int, original_length: int) -> tuple[int, int]:
        """Map a folded [start, end) back to the original text."""
        if start >= len(self.origin):
            return original_length, original_length
        begin = self.origin[start]
        finish = self.origin[end - 1] + 1 if end > start else begin
        return begin, min(finish, original_length)


_QUOTES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"'}


@lru_cache(maxsize=8192)
def _fold_char(raw: str) -> str:
    """One original character as folded characters (cached: a message repeats few characters)."""
    out = []
    for char in unicodedata.normalize("NFKD", _QUOTES.get(raw, raw).lower()):
        if unicodedata.combining(char):
            continue
        if not char.isalnum() and char not in " '\"-.,!?;:\n/" and not char.isspace():
            char = " "
        if char.isspace():
            char = "\n" if raw == "\n" else " "
        out.append(char)
    return "".join(out)


_LETTER_RUN = re.compile(r"([^\W\d_])\1\1")


def normalise(text: str) -> NormalisedText:
    """Lower-case, fold accents and curly quotes, squeeze runs of 3+ letters, keep an index map.

    Letter runs squeeze to one ("diiiie" -> "die", "sooo" -> "so") for vowels and to two for
    consonants ("killll" -> "kill"), which is what texting elongation needs.
    """
    chars: list[str] = []
    origin: list[int] = []
    for index, raw in enumerate(text):
        for char in _fold_char(raw):
            if char == " " and chars and chars[-1] == " ":
                continue
            chars.append(char)
            origin.append(index)
    folded = "".join(chars)
    if not _LETTER_RUN.search(folded):  # most messages: nothing to squeeze
        return NormalisedText(folded, origin)
    squeezed_chars: list[str] = []
    squeezed_origin: list[int] = []
    position = 0
    while position < len(chars):
        run_end = position
        while run_end + 1 < len(chars) and chars[run_end + 1] == chars[position]:
            run_end += 1
        run = run_end - position + 1
        char = chars[position]
        keep = run
        if char.isalpha() and run >= 3:
            keep = 1 if char in "aeiouy" else 2
        squeezed_chars.extend(char * keep)
        squeezed_origin.extend(origin[position : position + keep - 1] + [origin[run_end]])
        position = run_end + 1
    return NormalisedText("".join(squeezed_chars), squeezed_origin)


def mask_idioms(folded: str) -> str:
    """Blank out idioms and academic/media uses so no risk family can match inside them."""
    for pattern in IDIOMS:
        folded = pattern.sub(lambda m: " " * (m.end() - m.start()), folded)
    return folded


# ---- spelling: a corrected second copy, screened IN ADDITION to the original ------------------
# Clients misspell under stress ("dont wnat to be hear anymroe", "tryed to overdoes"). Listing
# every typo in the patterns does not generalise, so the screen also runs on a copy where each
# unknown word is replaced by its nearest dictionary word (symspellpy's bundled English frequency
# list, edit distance 1, no download). The copy can only ADD hits: the original is always screened.
# Ties go to risk words, then words the lexicon uses ("wnat" -> "want", not "what"), so correction
# leans toward recall. Any dictionary word is left alone; corrections go only to words this common.
SPELLING_MIN_COUNT = 100_000
# Real-word slips no dictionary can see, fixed only where the context makes them unambiguous.
REAL_WORD_SLIPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(be|being|stay|still|around|from|not|im|i'm) hear\b"), r"\1 here"),
    (re.compile(r"\bhear (any ?more|anymor|no more|much longer|for long)\b"), r"here \1"),
    (re.compile(r"\b(to|an|another|my|the|2) overdoes\b"), r"\1 overdose"),
    (re.compile(r"\bwanna dye\b|\bwant to dye\b"), "want to die"),
)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Texting words the dictionary lacks ("lol" must not become "lola").
TEXTING_WORDS = _wordset(
    "lol lmao lmfao omg idk idc tbh smh ngl imo imho irl bc cuz coz pls plz thx tysm rn tmrw tmr "
    "tho gonna wanna gotta kinda sorta yea yeah yep nah nope hmm ugh asap btw fyi bday xoxo haha "
    "hahaha hehe lmk wyd hbu nvm brb ttyl dms ppl yall abt bout prolly srsly def obvs"
)
# Words a tie goes to first ("wnat" -> "want", not "what"), then any word the patterns use.
RISK_WORDS = _wordset(
    "want wanna die dead death kill killing myself suicide suicidal overdose overdosed pills meds "
    "here anymore every everyone everybody would better tried alone needing around nobody "
    "tonight goodbye hurt hurting cut cutting hang jump rope knife voices life live living gone "
    "end ending bleeding breathe drunk high gun guns pistol rifle noose razor blade"
)
# English function words and texting fillers: a clause made of these plus one word carries too
# little for the semantic layer to judge ("but I finished", "see you friday"; round 6).
FUNCTION_WORDS = _wordset(
    "i me my mine myself you your yours u ur we us our he him his she her they them their it its "
    "it's i'm im i've ive i'd id i'll ill you're youre he's she's they're that's thats there's a an "
    "the this that these those and or but so if then than as at by for from in into of on onto to "
    "with about up out off over am is are was were be been being do does did done have has had "
    "having will would shall should can could may might must not no just also too very really lol "
    "lmao haha hahaha ok okay hi hey yeah ya omg ngl tbh fr rn pls please"
)
# Function words that mark a message as Spanish or Portuguese: such text is not "corrected" into
# English look-alikes ("lunes" -> "lines"); the Spanish families of the lexicon judge it.
_ROMANCE_MARKERS = _wordset(
    "que de la el los las mis por para una con esta estoy muy pero gracias quiero tengo puedo hola "
    "del porque como nao voce minha eu estou muito tambem obrigado obrigada"
)
# Common Spanish and Portuguese words: never "corrected" into English look-alikes ("dia" -> "die").
SPANISH_WORDS = _wordset(
    "que de la el los las mi mis por para una uno con esta esto estoy muy pero cita gracias quiero "
    "tengo puedo hola del lo le ya porque como hijo hija hijos hijas se me te no si sin sobre todo "
    "todos nada casa solo sola solos aqui alla ahora hoy ayer manana noche dia dias vez otra bien "
    "mal mas menos necesito puntos volvi cortar corte sabe saber supiera alguien guardado compre "
    "veneno ratas regale perro gata gato mama papa esposo esposa novio novia hermano hermana nino "
    "nina ninos ninas voy vas va vamos estar estaba tiene tienen hacer hago hace dijo dice eu nao "
    "voce minha meu tudo obrigado obrigada muito quero estou fazer sobre isso ela ele"
)


@lru_cache(maxsize=1)
def spelling_tables() -> tuple[Any, frozenset[str], frozenset[str]]:
    """(SymSpell index, known words, key words); built once per process (~0.7 s, ~60 MB)."""
    import symspellpy
    from symspellpy import SymSpell

    path = Path(symspellpy.__file__).parent / "frequency_dictionary_en_82_765.txt"
    index = SymSpell(max_dictionary_edit_distance=1, prefix_length=7)
    dictionary: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word, _, count = line.partition(" ")
            dictionary.add(word)
            if count and int(count) >= SPELLING_MIN_COUNT:
                index.create_dictionary_entry(word, int(count))
    lexicon_words = {
        word
        for rule in RULES
        # "\bkys" must give "kys", not "bkys": escapes go before words are read.
        for word in re.findall(r"[a-z]{3,}", re.sub(r"\\[a-zA-Z]", " ", rule.pattern.pattern))
    }
    known = frozenset(lexicon_words | dictionary | SPANISH_WORDS | TEXTING_WORDS)
    key = frozenset(w for w in lexicon_words if w in index.words)
    return index, known, key


@lru_cache(maxsize=50_000)
def correct_word(word: str) -> str:
    """The dictionary word a typo most likely meant, or `word` itself when it is fine or unknown.

    Cached: the semantic layer asks again for the words of each clause the lexicon just saw."""
    index, known, key = spelling_tables()
    if len(word) < 3 or word in known or not word.isalpha():
        return word
    if word + "g" in index.words:  # texting drops the g: "doin", "sweatin"
        return word + "g"
    from symspellpy import Verbosity

    candidates = [s.term for s in index.lookup(word, Verbosity.CLOSEST, max_edit_distance=1)]
    if len(word) == 3:  # "kil" -> "kill", but never a swap like "dia" -> "die"
        candidates = [c for c in candidates if len(c) == 4]
    if not candidates:
        return word
    return next(
        (c for c in candidates if c in RISK_WORDS),
        next((c for c in candidates if c in key), candidates[0]),
    )


def corrected(folded: NormalisedText) -> NormalisedText | None:
    """The spelling-corrected copy of `folded` (same origin map), or None when no correction
    could matter: none produced a risk word or a longer word the patterns use ("PCP" -> "pop"
    alone is not worth a second pass or a second embedding)."""
    _, _, key = spelling_tables()
    chars: list[str] = []
    origin: list[int] = []
    cursor = 0
    changed = matters = False
    words = list(re.finditer(r"[a-z]+", folded.text))
    if len({w.group() for w in words} & _ROMANCE_MARKERS) >= 2:
        words = []
    for match in words:
        word = match.group()
        fix = correct_word(word)
        if fix == word:
            continue
        changed = True
        matters = matters or fix in RISK_WORDS or (fix in key and len(fix) >= 5)
        chars.extend(folded.text[cursor : match.start()])
        origin.extend(folded.origin[cursor : match.start()])
        chars.extend(fix)
        last = match.end() - 1
        origin.extend(folded.origin[min(match.start() + i, last)] for i in range(len(fix)))
        cursor = match.end()
    text = "".join(chars) + folded.text[cursor:] if changed else folded.text
    origin = origin + folded.origin[cursor:] if changed else list(folded.origin)
    for pattern, replacement in REAL_WORD_SLIPS:
        for match in reversed(list(pattern.finditer(text))):
            fix = match.expand(replacement)
            span_origin = origin[match.start() : match.end()]
            text = text[: match.start()] + fix + text[match.end() :]
            origin[match.start() : match.end()] = [
                span_origin[min(i, len(span_origin) - 1)] for i in range(len(fix))
            ]
            matters = True
    return NormalisedText(text, origin) if matters else None


def correct_text(folded_text: str) -> str | None:
    """Spelling-corrected copy of an already folded clause (for the semantic layer), or None
    unless a correction produced a risk word: a second embedding costs as much as the first,
    and a corrected game title ("Elden" -> "elder") tells the model nothing new."""
    fixed = corrected(NormalisedText(folded_text, list(range(len(folded_text)))))
    if fixed is None:
        return None
    fresh = set(re.findall(r"[a-z]+", fixed.text)) - set(re.findall(r"[a-z]+", folded_text))
    return fixed.text if fresh & RISK_WORDS else None


def english_remainder(clause: str) -> str | None:
    """The English words of a mixed Spanish/English clause ("mis hijos are alone en la casa and
    I'm too high to drive" -> "are alone and i'm too high to drive"), for the English semantic
    layer; None when too little English is left to judge."""
    index, _, _ = spelling_tables()
    words = re.findall(r"[a-z']+", normalise(clause).text)
    english = [w for w in words if w not in SPANISH_WORDS and (w in index.words or "'" in w)]
    if len(english) < 4 or len(english) < 0.4 * len(words):
        return None
    return " ".join(english)


# Round 7: context that makes a risk word not a page (applied in `crisis._deny_by_context`).
# OCD intrusive thoughts logged for ERP with an explicit non-intent: the thought is the symptom
# being treated, not a wish ("the 'what if I stab her' thought showed up ... I do not want to").
INTRUSIVE_MARKER = re.compile(
    r"\b(?:ocd|erp|exposure (?:homework|log|practice)|intrusive (?:thought|image)s?|"
    r"harm ocd|(?:bad|scary) thoughts? (?:list|log)|what if i\b)"
)
NON_INTENT = re.compile(
    r"\b(?:i (?:do not|don'?t|dont) want to(?! live| be here| be alive)|(?:zero|no) "
    r"(?:wish|desire|intention|intent) to|i would never|i'?d never|i won'?t\)|"
    r"(?:do not|don'?t|dont) want to die at all|not in danger|without (?:checking|reassurance))"
)
INTENT_CUE = re.compile(
    r"\b(?:i'?m going to|gonna|tonight|plan(?:ning)?|i want to (?!know)|"
    r"can'?t stop myself|i might actually)\b"
)
INTRUSIVE_CATEGORIES = frozenset(
    {
        "harm_to_others",
        "suicidal_ideation",
        "suicide_plan_or_intent",
        "self_harm",
        "dependent_at_risk",
    }
)
# A firearm already out of the home: the gun named in the message is not a means at hand.
FIREARM_REMOVED = re.compile(
    r"\b(?:no (?:guns?|firearms?|weapons?|rifles?) in the (?:house|home)|"
    r"(?:does not|doesn'?t) own (?:any|a) (?:gun|firearm|weapon)|"
    r"(?:sold|gave away|turned in|took) (?:it|them|(?:the|his|her|my|our|[a-z]+'s) "
    r"(?:[a-z]+'s )?(?:gun|rifle|shotgun|pistol)s?)\b[^.]{0,40}"
    r"\b(?:dealer|sheriff|police|safekeeping|years ago|last (?:spring|summer|fall|winter|year|"
    r"month))|(?:was|were) sold (?:years|months) ago)"
)
FIREARM_WORD = re.compile(r"\b(?:gun|guns|firearms?|rifles?|shotgun|pistol|revolver|weapons?)\b")
FIREARM_CATEGORIES = frozenset({"suicide_plan_or_intent", "harm_to_others"})
# A check-in that lists denials ("no self harm, no bad thoughts"): two or more, none taken back.
DENIED_ITEM = re.compile(
    r"\bno (?:self[- ]?harm(?: urges)?|cutting|suicidal (?:thoughts|ideation)|bad thoughts|"
    r"thoughts of (?:hurting|harming|killing) myself|urges|dark thoughts|plans?)\b"
)
# Round 10: a routine medication question is not a risk disclosure. Asking whether two things can
# be taken together, what to do about a missed dose, or whether a mild symptom that passes is a
# side effect is the opposite of a plan: the client is trying to take the medicine safely. Such a
# message's semantic and learned hits (MiniLM puts "took it twice" next to an overdose) are
# denied unless it names a quantity, a body alarm (`BODY_ALARM`) or anything the lexicon pages on.
# Asking whether two things can be taken together is routine on its own ...
MED_INTERACTION = re.compile(
    r"\b(?:can|could|should|may) (?:i|u|you|we|he|she) (?:still |safely )?(?:take|have|drink|mix|"
    r"use|combine)\b[^.?!]{0,60}\b(?:with|on|while (?:on|taking))\b|"
    r"\bis (?:it|that|this|the \w+) (?:ok|okay|safe|fine) (?:to take )?(?:it )?(?:with|alongside|on top "
    r"of) (?:my|the|a|his|her)\b"
)
# ... a dose or side-effect question only with a routine tone (`ROUTINE_TONE`).
MED_QUESTION = re.compile(
    r"\b(?:is (?:it|this|that) (?:ok|okay|safe|normal|fine|common)\b|"
    r"(?:a|the) (?:normal |common |known )?side effects? (?:of|from)\b|"
    r"(?:missed|forgot|skipped|forgotten) (?:a|my|the|last night'?s|this morning'?s|yesterday'?s|"
    r"tonight'?s)? ?(?:\w+ )?(?:dose|pill)\b|se me olvido (?:la|mi) (?:dosis|pastilla)|"
    r"(?:accidentally|by accident|by mistake) (?:took|taken|doubled)\b)"
)
ROUTINE_TONE = re.compile(
    r"\b(?:feel(?:ing)? (?:totally |completely |perfectly |otherwise )?(?:fine|normal|ok|okay|good)|"
    r"goes away|went away|passes|passed quickly|just (?:wondering|curious|checking|asking)|"
    r"(?:small|tiny|little|mild|slight|a bit|a little|kind of|kinda) (?:\w+ )?(?:itchy|dizzy|"
    r"spot|bump|headache|nause\w*|sleepy|tired|groggy|rash|queasy)|no (?:other )?symptoms|"
    r"otherwise (?:fine|ok|okay|good)|(?:do|should) i (?:take|skip|double)\b)"
)
# What keeps a medication question a possible overdose: an amount beyond a dose or two.
MED_QUANTITY = re.compile(
    r"\b(?:all|whole|entire|every|bottle|rest of|handful|bunch|enough|a lot of|lots of|"
    r"a week'?s|a month'?s|(?:\d{2,}|ten|twenty|thirty|a dozen|several) (?:\w+ )?(?:pills|tablets|"
    r"caps\w*|of (?:them|my|the|those)))\b"
)
MED_QUESTION_CATEGORIES = frozenset(
    {
        "goodbye_or_giving_away",  # round 11: "does she need to send a new refill auth"
        "suicidal_ideation",
        "suicide_plan_or_intent",
        "self_harm",
        "suicide_attempt",
        "overdose_or_medical_emergency",
    }
)

# Round 11: four more reasons a risk-sounding message is not a page (applied in
# `crisis._deny_by_context` to the semantic and learned layers only; the lexicon still pages).
# Estate planning and someone else's estate: a will, beneficiaries, probate, an executor's work,
# with nothing that puts a death in view (a payout, "when I'm gone", a letter, things given away,
# a gun, "it's all handled": a will updated beside those is a goodbye, not paperwork).
ESTATE_PLANNING = re.compile(
    r"\b(?:(?:draft|drafting|write|writing|update|updating|make|making|updated|made) (?:a|our|my|his|"
    r"her|their) wills?|beneficiar\w*|estate|probate|executor|executrix|power of attorney|living "
    r"trust|legal benefit|401 ?ks?)\b"
)
OWN_DEATH_IN_VIEW = re.compile(
    r"\b(?:when i'?m gone|after i'?m gone|once i'?m gone|if i'?m gone|i won'?t be (?:here|around)|"
    r"better (?:off?|of)|pay ?out|worth more|collect\w* on me|exclusion|no matter how|for good|one "
    r"way or (?:another|the other)|suicid\w*|kill\w*|end (?:it|my life|things)|not be here|goodbye|"
    r"(?:letters?|notes?) (?:to|for)|passwords?|last (?:wishes|letter)|myself|gave away|giv\w* away|"
    r"guns?|rifles?|pistol|firearms?|(?:all|it'?s all|everything'?s?) (?:handled|taken care of|settled))\b"
)
ESTATE_CATEGORIES = frozenset(
    {"suicidal_ideation", "suicide_plan_or_intent", "goodbye_or_giving_away"}
)
# A child's "I'm gonna kill you" yelled at a sibling over a game, with no weapon or injury.
CHILD_GAME_THREAT = re.compile(
    r"\b(?:yell\w*|scream\w*|shout\w*|said|says|told)\b[^.?!]{0,20}\b(?:gonna|going to|will|i'?ll|"
    r"ill) kill (?:you|u|him|her|them)\b"
)
GAME = re.compile(
    r"\b(?:xbox|playstation|ps[45]|switch|nintendo|fortnite|minecraft|roblox|video ?games?|gaming|"
    r"controller|ipad|tablet|lego|legos|board game|monopoly|uno|mario ?kart)\b"
)
CHILD = re.compile(
    r"\b(?:\d+ ?(?:yr|year)s?[- ]?old|son|daughter|kids?|brother|sister|siblings?|twins|toddler|"
    r"boys|girls)\b"
)
INJURY_OR_WEAPON = re.compile(
    r"\b(?:knife|knives|gun|scissors|chok\w*|strangl\w*|bruis\w*|bleed\w*|blood|hospital|stitches|"
    r"hurt (?:him|her|them)|hit (?:him|her|them)|punch\w*|kick\w*|threaten\w* (?:him |her )?with|"
    r"scared of (?:him|her)|pushed|shoved|tried to)\b"
)
GAME_THREAT_CATEGORIES = frozenset({"harm_to_others", "dependent_at_risk", "abuse_or_violence"})
# The layers read "a plan" into a plan not to relapse, so plans are denied there too.
RECOVERY_CATEGORIES = PAST_CATEGORIES | {"suicide_plan_or_intent"}
# A phone or autocorrect that turned one word into another: the sentence reports a typo.
AUTOCORRECT = re.compile(
    r"\b(?:auto-?correct\w*|spell ?check\w*|predictive text|(?:voice|talk|speech)[- ]to[- ]text|"
    r"dictation|phone|keyboard)\b(?: \w+){0,3}? (?:chang\w*|correct\w*|switch\w*|turn\w*) (?:the "
    r"word )?['\"]?\w+['\"]? (?:to|into) ['\"]?\w+"
)
# Planning ahead in long recovery ("5 years in recovery, how do I handle pain meds after
# surgery without relapsing"), with no use now.
RECOVERY_TIME = re.compile(
    r"\b(?:(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|many) (?:years?|months?) (?:in "
    r"recovery|sober|clean|of sobriety)|(?:sober|clean|in recovery) (?:for )?(?:\d+|one|two|three|"
    r"four|five|six|seven|eight|nine|ten|many) (?:years?|months?))\b"
)
RELAPSE_PLAN = re.compile(
    r"\b(?:without relapsing|avoid (?:a )?relaps\w*|relapse prevention|not (?:to )?relapse|(?:don'?t|do "
    r"not|won'?t) relapse|stay "
    r"(?:sober|clean)|protect my (?:sobriety|recovery))\b"
)
USE_NOW = re.compile(
    r"\b(?:relapsed|using again|slipped|took (?:a|some|the|all)|high (?:right )?now|drunk (?:right )?"
    r"now|overdos\w*|od'?d|cravings? (?:are|is) (?:bad|back)|tonight)\b"
)
