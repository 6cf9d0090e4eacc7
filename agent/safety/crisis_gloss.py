"""Word-level Spanish -> English gloss, so the English layers can judge Spanish clauses.

WHY: MiniLM (the product's only embedding model) is English-only; before round 7 a Spanish
clause was judged by hand-written Spanish lexicon families alone, and those did not generalise
(10 of blind-4's 16 misses were Spanish). A reviewed glossary of the words clients use around
risk (pills, cut, kill, die, bridge, gave away, say goodbye, hit, knife...) and the everyday
words around them turns "hoy me paré en el puente y pensé en tirarme" into rough English
("today I stood on the bridge and thought about throw myself") that the semantic exemplars and
the learned layer can place. The gloss is crude on purpose (no grammar, no model, no download):
it only ever ADDS a clause for the English layers to read; it never replaces the Spanish
lexicon, and a glossed clause that reads as benign changes nothing.

Multi-word phrases are replaced first (longest first), then single words; words the glossary
does not know are dropped, so unknown Spanish does not reach MiniLM as noise. Input is folded
(lower case, accents removed) before lookup.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Phrases: meaning comes from the combination (reflexives, "ya no", clitic + verb).
PHRASES: dict[str, str] = {
    "ya no": "no longer",
    "ya no quiero": "I no longer want",
    "ya no puedo": "I can not anymore",
    "ya no aguanto": "I can not take it anymore",
    "no aguanto mas": "I can not take it anymore",
    "no puedo mas": "I can not go on",
    "ya no las voy a necesitar": "I will not need them anymore",
    "ya no lo voy a necesitar": "I will not need it anymore",
    "no las voy a necesitar": "I will not need them",
    "no voy a necesitar": "I will not need",
    "no voy a llegar": "I will not make it",
    "me tome": "I took",
    "me tomo": "I take",
    "me he tomado": "I have taken",
    "se tomo": "took",
    "me corte": "I cut myself",
    "me corto": "I cut myself",
    "me he cortado": "I have cut myself",
    "me volvi a cortar": "I cut myself again",
    "se corta": "cuts herself",
    "se corte": "cut herself",
    "se esta cortando": "is cutting herself",
    "me volvio a pegar": "hit me again",
    "me pego": "hit me",
    "me pega": "hits me",
    "le pego": "hit her",
    "le pega": "hits her",
    "me golpeo": "hit me",
    "me golpea": "hits me",
    "me quiero matar": "I want to kill myself",
    "me voy a matar": "I am going to kill myself",
    "quiero morirme": "I want to die",
    "me quiero morir": "I want to die",
    "me voy a morir": "I am going to die",
    "me voy de viaje largo": "I am going on a long trip",
    "viaje largo": "long trip",
    "me voy": "I am leaving",
    "no me voy a bajar": "I will not come down",
    "irme": "to leave",
    "para irme": "so I can leave",
    "me desmaye": "I fainted",
    "se desmayo": "fainted",
    "me duele": "it hurts",
    "me pare": "I stood",
    "me da miedo": "I am scared",
    "tengo miedo": "I am scared",
    "le dejo": "left",
    "le deje": "I left",
    "les deje": "I left",
    "les dije": "I told them",
    "le dije": "I told",
    "me dijo": "told me",
    "le dice": "tells her",
    "le ordena": "orders him",
    "le habla": "talks to her",
    "me habla": "talks to me",
    "me dice": "tells me",
    "me dicen": "tell me",
    "no les digan": "do not tell",
    "no le digan": "do not tell",
    "de este mundo": "from this world",
    "sin mi": "without me",
    "mejor sin mi": "better off without me",
    "hace un rato": "a while ago",
    "hace una hora": "an hour ago",
    "por ultima vez": "for the last time",
    "la ultima vez": "the last time",
    "para siempre": "forever",
    "todas las pastillas": "all the pills",
    "toda la caja": "the whole box",
    "todo el frasco": "the whole bottle",
    "un frasco": "a bottle",
    "lo que pasa": "what happens",
    "lo que paso": "what happened",
    "no se": "I do not know",
    "despedirme": "say goodbye",
    "cortarme": "cut myself",
    "matarme": "kill myself",
    "tirarme": "throw myself off",
    "lanzarme": "throw myself off",
    "aventarme": "throw myself off",
    "ahorcarme": "hang myself",
    "colgarme": "hang myself",
    "lastimarme": "hurt myself",
    "hacerme dano": "hurt myself",
    "morirme": "die",
    "dormirme": "sleep",
    "acompanarlo": "join him",
    "acompanarla": "join her",
    "limpiarse": "clean herself",
    # idioms: a person or thing "killing" me is annoyance, as in English
    "me mata": "is annoying me",
    "me matan": "are annoying me",
    "me esta matando": "is annoying me",
    "me estan matando": "are annoying me",
    "me muero de": "I am dying of",
    "me corte el pelo": "I got a haircut",
    "otra vez": "again",
    "esta vez": "this time",
    "nada grave": "nothing serious",
    "hace diez anos": "ten years ago",
    "hace anos": "years ago",
    "me corte el cabello": "I got a haircut",
    # round 9: what one is "dying of" decides whether it is an idiom; a chore on the roof
    "me muero de la risa": "I am laughing so hard",
    "muero de la risa": "laughing so hard",
    "de la risa": "laughing",
    "de la verguenza": "of embarrassment",
    "de verguenza": "of embarrassment",
    "tender la ropa": "dry the laundry",
    # a pounding heart said the Spanish way, and what it is from
    "el corazon se me va a salir": "my heart is pounding",
    "el corazon se me iba a salir": "my heart was pounding",
    "de los nervios": "from nerves",
    "de nervios": "from nerves",
    "ataque de panico": "panic attack",
}

# Single words: risk vocabulary, its inflections, and the everyday words around it.
# (a glossary reads best as a table, so the formatter leaves it alone)
# fmt: off
WORDS: dict[str, str] = {
    # function words and pronouns
    "yo": "I", "tu": "you", "usted": "you", "el": "the", "ella": "she", "ellos": "they",
    "nosotros": "we", "la": "the", "los": "the", "las": "the", "lo": "it", "un": "a",
    "una": "a", "unos": "some", "unas": "some", "de": "of", "del": "of the", "al": "to the",
    "a": "to", "en": "in", "con": "with", "sin": "without", "por": "for", "para": "for",
    "y": "and", "o": "or", "pero": "but", "que": "that", "si": "if", "cuando": "when",
    "porque": "because", "como": "like", "mi": "my", "mis": "my", "su": "her", "sus": "her",
    "tus": "your", "me": "me", "te": "you", "nos": "us", "no": "not", "nunca": "never",
    "nada": "nothing", "nadie": "nobody", "todo": "everything", "todos": "everyone",
    "toda": "all", "todas": "all", "ya": "already", "muy": "very", "mas": "more",
    "menos": "less", "solo": "only", "tambien": "also", "aqui": "here", "alli": "there",
    "ahi": "there", "esto": "this", "este": "this", "eso": "that",
    "ese": "that", "esa": "that", "mucho": "much", "muchos": "many", "poco": "little",
    "algo": "something", "alguien": "someone", "donde": "where", "quien": "who",
    "cuantas": "how many", "cuantos": "how many", "cuanto": "how much", "suficiente": "enough",
    "bastante": "enough", "otra": "another", "otro": "another", "vez": "time", "veces": "times",
    # time
    "hoy": "today", "anoche": "last night", "noche": "night", "noches": "nights",
    "manana": "tomorrow", "ayer": "yesterday", "ahora": "now", "ahorita": "right now",
    "despues": "after", "antes": "before", "pronto": "soon", "semana": "week",
    "dias": "days", "dia": "day", "hora": "hour", "horas": "hours", "rato": "while",
    "desde": "since", "mientras": "while", "luego": "later", "ultima": "last",
    "ultimo": "last", "tarde": "late", "fin": "end",
    # people
    "hijo": "son", "hija": "daughter", "hijos": "children", "ninos": "children",
    "nino": "boy", "nina": "girl", "bebe": "baby", "esposo": "husband", "esposa": "wife",
    "marido": "husband", "novio": "boyfriend", "novia": "girlfriend", "pareja": "partner",
    "mama": "mom", "madre": "mother", "papa": "dad", "padre": "father", "abuela": "grandmother",
    "abuelo": "grandfather", "hermano": "brother", "hermana": "sister", "primas": "cousins",
    "primos": "cousins", "prima": "cousin", "primo": "cousin", "vecina": "neighbor",
    "vecino": "neighbor", "familia": "family", "amiga": "friend", "amigo": "friend",
    "doctora": "doctor", "doctor": "doctor", "psicologa": "psychologist",
    "psicologo": "psychologist", "terapeuta": "therapist", "paciente": "patient",
    "dios": "God", "voz": "voice", "voces": "voices",
    # means and objects
    "pastillas": "pills", "pastilla": "pill", "pildoras": "pills", "medicina": "medicine",
    "medicinas": "medicines", "medicamento": "medication", "medicamentos": "medications",
    "cajas": "boxes", "caja": "box", "frasco": "bottle", "frascos": "bottles",
    "veneno": "poison", "cloro": "bleach", "cuchillo": "knife", "navaja": "knife",
    "machete": "machete", "pistola": "gun", "arma": "gun", "armas": "guns",
    "soga": "rope", "cuerda": "rope", "cortes": "cuts", "corte": "cut", "sangre": "blood",
    "puente": "bridge", "edificio": "building", "techo": "roof", "azotea": "rooftop",
    "tren": "train", "vias": "tracks", "carta": "letter", "cartas": "letters",
    "ropa": "clothes", "cosas": "things", "perrita": "dog", "perro": "dog", "perrito": "dog",
    "gato": "cat", "bano": "bathroom", "casa": "house", "cuarto": "room",
    "agua": "water", "alcohol": "alcohol", "tequila": "tequila", "sertralina": "sertraline",
    "dormir": "sleep", "morfina": "morphine",
    # risk verbs and states
    "matar": "kill", "mato": "killed", "mate": "kill", "matarla": "kill her",
    "matarlo": "kill him", "matarlos": "kill them", "morir": "die", "muera": "die",
    "muerto": "dead", "muerta": "dead", "murio": "died", "muerte": "death",
    "morirse": "die", "suicidio": "suicide", "suicidarme": "kill myself",
    "suicidarse": "kill himself", "cortar": "cut", "cortando": "cutting", "corta": "cuts",
    "corto": "cut", "cortada": "cut", "pegar": "hit", "pego": "hit", "pega": "hits",
    "golpear": "hit", "golpea": "hits", "golpes": "blows", "moretones": "bruises",
    "amenaza": "threatens", "amenazo": "threatened", "castigar": "punish",
    "afilando": "sharpening", "tirar": "throw", "saltar": "jump", "caer": "fall",
    "ahorcar": "hang", "disparar": "shoot", "desaparecer": "disappear", "sufrir": "suffer",
    "sufrimiento": "suffering", "dolor": "pain", "miedo": "fear", "peligrosas": "dangerous",
    "peligroso": "dangerous", "peligrosa": "dangerous", "desmaye": "fainted",
    "desmayo": "fainted", "vomitando": "vomiting", "mareado": "dizzy", "mareada": "dizzy",
    "respirar": "breathe", "despertar": "wake up", "despierto": "wake up",
    "cansada": "tired", "cansado": "tired", "vivir": "live", "vida": "life", "viva": "alive",
    "vivo": "alive", "mundo": "world", "cielo": "heaven", "carga": "burden",
    "sola": "alone", "triste": "sad", "desesperada": "desperate",
    "desesperado": "desperate", "encerrada": "locked in", "encerrado": "locked in",
    "encierra": "locks up", "toca": "touches", "tocar": "touch", "abusa": "abuses",
    "abuso": "abuse", "viola": "rapes", "violo": "raped",
    # everyday verbs
    "quiero": "I want", "quiere": "wants", "queria": "I wanted", "tengo": "I have",
    "tiene": "has", "tienen": "have", "tenia": "had", "estoy": "I am", "esta": "is",
    "estan": "are", "estaba": "was", "estuve": "I was", "soy": "I am", "es": "is",
    "son": "are", "fue": "was", "era": "was", "hay": "there is", "voy": "I am going",
    "va": "is going", "vamos": "we go", "ir": "go", "vas": "you go", "puedo": "I can",
    "puede": "can", "pude": "I could", "hice": "I did", "hizo": "did", "hago": "I do",
    "hacer": "do", "dice": "says", "dijo": "said", "dije": "I said", "pense": "I thought",
    "pienso": "I think", "pensando": "thinking", "pensar": "think", "sigo": "I keep",
    "sigue": "keeps", "regresar": "go back", "volver": "go back", "volvi": "I went back",
    "compre": "I bought", "compro": "bought", "comprar": "buy", "regale": "I gave away",
    "regalo": "gave away", "regalar": "give away", "deje": "I left", "dejo": "left",
    "dejar": "leave", "pague": "I paid", "pagar": "pay", "debia": "I owed",
    "guardadas": "saved up", "guardados": "saved up", "guardando": "saving up",
    "guardado": "saved", "juntando": "collecting",
    "escribi": "I wrote", "escribir": "write", "escribo": "I write", "encontre": "I found",
    "encontro": "found", "vi": "I saw", "ve": "sees", "escucha": "hears",
    "escucho": "I hear", "oigo": "I hear", "necesito": "I need", "necesitar": "need",
    "ayuda": "help", "ayudar": "help", "cancelar": "cancel", "citas": "appointments",
    "cita": "appointment", "comido": "eaten", "comer": "eat", "duermo": "I sleep",
    "late": "beats", "corazon": "heart", "saber": "know", "creo": "I think",
    "gracias": "thank you", "perdon": "sorry", "disculpe": "sorry", "adios": "goodbye",
    "despedir": "say goodbye", "perdoname": "forgive me", "perdonen": "forgive",
    "culpa": "fault", "paciencia": "patience", "molestar": "bother", "llegar": "arrive",
    "nuevos": "new", "nuevas": "new", "mejor": "better", "peor": "worse", "bien": "well",
    "mal": "bad", "llamar": "call", "llame": "call",
    # routine vocabulary, so an ordinary request reads as one
    "seguro": "insurance", "factura": "bill", "pagaba": "paid", "debo": "I owe",
    "cobro": "charge", "tarjeta": "card", "pelo": "hair", "cabello": "hair", "foto": "photo",
    "olvido": "forgot", "olvide": "forgot", "llamada": "call", "llamadas": "calls",
    "examen": "exam", "examenes": "exams",
    "portal": "portal", "sobrino": "nephew", "sobrina": "niece", "bicicleta": "bike",
    "vieja": "old", "viejo": "old", "tesis": "thesis", "prevencion": "prevention",
    "adolescentes": "teenagers", "entrevistar": "interview", "clinica": "clinic",
    "suegra": "mother in law", "suegro": "father in law", "comentarios": "comments",
    "pastor": "pastor", "iglesia": "church", "leyo": "read", "acorde": "remembered",
    "trabajo": "work", "escuela": "school", "clase": "class", "formulario": "form",
    "formularios": "forms", "receta": "prescription", "farmacia": "pharmacy",
    "mandar": "send", "enviar": "send", "correo": "email", "telefono": "phone",
    "cambiar": "change", "mover": "move", "reprogramar": "reschedule", "lunes": "Monday",
    "martes": "Tuesday", "miercoles": "Wednesday", "jueves": "Thursday",
    "viernes": "Friday", "sabado": "Saturday", "domingo": "Sunday", "vemos": "see",
    "bueno": "good", "buenas": "good", "buenos": "good", "tardes": "afternoon",
    "hola": "hello", "vacaciones": "vacation", "viaje": "trip", "mudanza": "move",
    "cumpleanos": "birthday", "fiesta": "party", "regalos": "gifts", "partido": "game",
    "juego": "game", "pelicula": "movie", "libro": "book", "jaja": "haha",
    "jajaja": "haha", "broma": "joke", "chiste": "joke", "trafico": "traffic", "estres": "stress",
    "ansiedad": "anxiety", "sesion": "session",
    "grupo": "group", "horario": "schedule", "estacionamiento": "parking",
    "cebolla": "onion", "picando": "chopping", "cocinando": "cooking", "semanas": "weeks",
    "alcanza": "is enough", "bajar": "get down", "bolsa": "bag", "contadas": "counted",
    "serian": "would be", "seria": "would be", "junte": "I gathered",
}
# fmt: on

_WORD = re.compile(r"[a-zñ]+")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c) or c == "\u0303").replace(
        "n\u0303", "n"
    )


@lru_cache(maxsize=1)
def _phrase_pattern() -> re.Pattern[str]:
    ordered = sorted(PHRASES, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b")


def gloss(clause: str, *, min_words: int = 3) -> str | None:
    """Rough English for a Spanish clause, or None when fewer than `min_words` glossed words
    come out (too little for the English layers to judge)."""
    folded = _fold(clause)
    pieces: list[str] = []
    position = 0
    for match in _phrase_pattern().finditer(folded):
        pieces += _words(folded[position : match.start()])
        pieces.append(PHRASES[match.group(0)])
        position = match.end()
    pieces += _words(folded[position:])
    english = " ".join(pieces)
    return english if len(english.split()) >= min_words else None


def _words(span: str) -> list[str]:
    return [WORDS[w] for w in _WORD.findall(span) if w in WORDS]
