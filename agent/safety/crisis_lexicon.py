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
from typing import Literal

Severity = Literal["imminent", "high", "elevated"]
SEVERITY_RANK: dict[str, int] = {"elevated": 1, "high": 2, "imminent": 3}

# ---- building blocks (regex fragments on normalised text) ------------------------------------
SUBJECT_I = r"(?:i|ive|i've|im|i'm|i am|i'd|id|i'll|ill|i was|i have|i just|i really|i kinda|i kind of|i sort of)"
MYSELF = r"(?:my ?self|myslef|myslf|mysef|meself|myselfe|mi self)"
KILL = r"(?:kill+|kil|kiill|kiling|killing|killed|murder)"
SUICIDE = r"(?:suicid\w*|sucid\w*|suiced\w*|suiside\w*|suicde\w*|suicd\w*|sewer ?slide|self[- ]?delet\w*)"
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
    r"see you|couch|bookshelf|furniture|donat\w*|yard sale|garage sale|summer break|semester)\b"
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
        r"\bcheck(?:ing)? out (?:soon|for good|permanently|early|of life|of this life)\b",
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
        r"\b(?:won'?t|wont|will not|wouldn't|wouldnt|might not|may not|probably won'?t|not going to|not gonna) (?:be|still be) (?:here|around|alive)\b",
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
        negatable=False,
    ),
    # --- plan, intent, means (imminent) ----------------------------------------------------
    *_rules(
        "suicide_plan_or_intent",
        "imminent",
        rf"\b(?:have|got|bought|buying|saved|saving|stockpil\w*|hoard\w*|collect\w*|counted|counting|gathered|hiding|hidden|stashed) (?:up )?(?:a |the |my |enough |all (?:of )?(?:my|the) |some )?(?:{PILLS}|rope|noose|gun|pistol|rifle|razor|razors|blades?|bullets|charcoal)\b(?=.{{0,60}}\b(?:die|end|kill|it|enough|when|for|to|myself|tonight)\b)",
        r"\b(?:i have|i've got|i got|i made|made|have) a plan\b|\b(?:my|the) plan is to\b|\bplann?(?:ed|ing) (?:it|my death|my suicide|how)\b",
        r"\b(?:wrote|written|writing|left|leaving) (?:a |my |the )?(?:suicide |goodbye |farewell )?(?:note|letters?) (?:for|to) (?:my|everyone|them|the)\b",
        r"\b(?:suicide|goodbye|farewell) (?:note|letter)\b",
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
        r"\b(?:tonight|tonite|2nite) (?:is|'s|s) the night\b|\bthis is (?:it|the end)\b(?! of)|\bmade (?:up )?my (?:mind|decision)\b.{0,40}\b(?:end|die|it|go)\b",
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
        r"\b(?:bang|banging|hit|hitting) my head (?:against|on|into)\b|\b(?:scratch|scrach|scratsh|pick|picking|claw|clawing)\w* (?:\w+ ){0,3}(?:until|till|til|untill) (?:i |it |they |he )?bleed",
        r"\b(?:making|make|made|doing|did) (?:\w+ )?cuts (?:on|in|into) my\b",
        r"\b(?:razor|blade|blades|boxcutter|box cutter|lighter) (?:on|to|against|into) my\b",
        r"\bfresh (?:cuts|scars|wounds)\b|\bnew (?:cuts|scars)\b",
        r"\b(?:cortarme|me corto|me corte|lastimarme|hacerme dano|me hago dano|me lastimo|quemarme)\b",
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
        rf"\b(?:took|take|taken|taking|taked|tooked|swallowed|swallow|ate|downed|popped|tome|me tome) (?:like |about |maybe |around |over )?(?:all|\d+|twenty|thirty|forty|fifty|ten|fifteen|a (?:whole|full) (?:bottle|pack|box|handful)|the (?:whole|entire|rest of the) (?:bottle|pack|box)|a bunch|a handful|a lot|too many|too much|way too many|way too much|extra|double|triple|todas|muchas)\b.{{0,40}}\b{PILLS}\b",
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
        r"\b(?:shoot|shooting) up (?:the|my) (?:school|office|work|workplace|church|place)\b|\b(?:bring|bringing|take|taking) (?:a|my) (?:gun|knife|weapon) to (?:work|school|the office|class)\b",
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
        r"\b(?:put|putting|getting|got) my (?:affairs|things|papers|finances) in order\b|\b(?:made|making|wrote|updated|updating) my (?:will|final arrangements)\b|\bfinal arrangements\b",
        r"\b(?:tell|make sure|say|let) (?:to )?(?:my|them|her|him|everyone)\b.{0,30}\bi (?:loved|love|am sorry|was sorry)\b",
        r"\b(?:adios para siempre|ultimo mensaje|cuando ya no este|cuando me haya ido|regalando mis cosas)\b",
        negatable=False,
        unless=ORDINARY_GOODBYE,
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
        r"\b(?:paper|essay|class|course|presentation|project|book|novel|documentary|article|show|movie|film|series|podcast|training|research|thesis|exam|lecture|module|unit|chapter|episode|song|report|assignment|webinar|workshop|question) (?:on|about|covering|regarding) (?:teen |youth |adolescent |veteran )?(?:suicide|self[- ]?harm|suicidal \w+|overdose\w*|domestic violence|domestic abuse|child abuse|psychosis|schizophrenia)(?: prevention| risk| awareness| rates)?\b",
        r"\b(?:killed|kills|kill) (?:the|my|a) (?:spider|bug|bugs|mood|vibe|lights?|engine|process|weeds?|plant|plants|battery|conversation|joke)\b",
        r"\bhit by (?:a|the) (?:ball|baseball|softball|pitch|puck|frisbee|pillow|swing)\b",
        r"\bi could just die\b(?= of embarrassment)|\b(?:bored|scared|worried|embarrassed) to death\b",
        r"\boverdo(?:ne|ing|ne it)?\b",
        r"\b(?:overdose|suicide|opioid|drug) (?:crisis|deaths?|epidemic|rates?|statistics|prevention|awareness|reversal|training|kits?|month|day|walk)\b|\bnarcan\b",
        r"\b(?:supporting|support|helping|help|working with|work with|resources for|book (?:on|about|for)|guide (?:for|to)|advice for) (?:someone|people|students|teens|kids|clients|patients|a friend|friends|loved ones|a loved one|a student|a teen) who (?:self[- ]?harms?|cuts?|is suicidal|are suicidal|struggles? with \w+|attempted \w+)\b",
        r"\b(?:difference between|definition of|define|defining) [^.?!]{0,60}\b(?:suicid\w*|self[- ]?harm\w*|ideation)\b",
        r"\bdomestic (?:violence|abuse) (?:shelters?|hotline|awareness|advocates?|advocacy|training|resources|research|programs?|agencies|services)\b",  # "overdid it at the gym" must never look like "od"
        r"\b(?:the|that) (?:show|movie|film|book|game|character|episode) .{0,40}\b(?:kill(?:s|ed)? (?:himself|herself)|suicide)\b",
        r"\bkill(?:ed|s)? (?:himself|herself) (?:in|on) (?:the|that) (?:show|movie|film|book|episode|game|novel)\b",
    )
]

NEGATION = re.compile(
    r"\b(?:not|never|no|dont|don't|do not|doesnt|doesn't|didnt|didn't|wouldnt|wouldn't|would never|"
    r"wont|won't|will not|isnt|isn't|aint|ain't|nor|deny|denies|denied|without|nunca|no tengo|jamas|"
    r"no thoughts of|no intention|no plans? to|zero)\b"
)
# A negated hit still counts when the sentence hedges or limits it in time, or goes on to admit the
# thoughts: "I'm not going to kill myself tonight but I keep thinking about it" is risk; "I'd never
# hurt myself" and "no thoughts of hurting myself" are not.
HEDGE = re.compile(
    r"\b(?:tonight|tonite|today|right now|rn|yet|for now|anymore|any more|promise|probably|maybe|"
    r"i think|don'?t think|dont think|not sure|unsure|i guess|i hope|hopefully|try not|trying not|"
    r"can'?t promise|won'?t be able|todavia)\b"
)
ADMISSION = re.compile(
    r"\b(?:but|though|tho|although|except|pero)\b.{0,50}\b(?:think|thinking|thought|thoughts|urge|urges|"
    r"keep|keeps|sometimes|part of me|scared|afraid|tempted|can'?t stop|cant stop|don'?t know|dont know|"
    r"not sure|pienso)\b|\b(?:yet|for now|tonight|today|right now)\b"
)
CLAUSE_BREAK = re.compile(r"[.!?;\n]+|\s[-–—]+\s|\s(?:but|pero)\s|,\s*(?=(?:but|and|so|tho|though)\b)")
RECENT = re.compile(
    r"\b(?:yesterday|last (?:night|week|weekend|month)|this (?:morning|week|weekend)|tonight|today|"
    r"just|again|recently|a few days ago|few days ago|days ago|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"ayer|anoche|esta semana)\b"
)
LONG_AGO = re.compile(
    r"\b(?:years? ago|in (?:high school|college|my teens|my twenties|19\d\d|20[01]\d)|as a (?:teen|teenager|kid)|"
    r"when i was (?:young|younger|a teen|a teenager|\d+|a kid|in)|long time ago|a long time|decade ago)\b"
)
IMMEDIATE = re.compile(rf"\b{TIME_NOW}\b|\b(?:already|just took|just swallowed|goodbye|about to|in a few minutes|final)\b")


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


def normalise(text: str) -> NormalisedText:
    """Lower-case, fold accents and curly quotes, squeeze runs of 3+ letters, keep an index map.

    Letter runs squeeze to one ("diiiie" -> "die", "sooo" -> "so") for vowels and to two for
    consonants ("killll" -> "kill"), which is what texting elongation needs.
    """
    chars: list[str] = []
    origin: list[int] = []
    for index, raw in enumerate(text):
        folded = _QUOTES.get(raw, raw)
        for char in unicodedata.normalize("NFKD", folded.lower()):
            if unicodedata.combining(char):
                continue
            if not char.isalnum() and char not in " '\"-.,!?;:\n/" and not char.isspace():
                char = " "
            if char.isspace():
                char = "\n" if raw == "\n" else " "
                if chars and chars[-1] == " " and char == " ":
                    continue
            chars.append(char)
            origin.append(index)
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
