#!/usr/bin/env python3
"""Generate the synthetic sample data for ambassador (see samples/README.md).

Usage: python3 samples/generate.py [OUTDIR]    (default: this script's folder)

Deterministic: a fixed seed, Python 3 standard library only, no dependence on
hash order or the clock. Running it twice gives byte-identical files. All
names are invented from small lists; no real people.

Files written (formats: docs/design.md, Contract 2.1-2.3):
  roster.csv              about 150 people
  codebook.csv            codebook for survey_msforms.csv (question texts)
  survey_msforms.csv      Microsoft Forms export, UTF-8 BOM, Danish labels
  survey_msforms_de.csv   a few of the same answers with German labels
  codebook_qualtrics.csv  codebook for survey_qualtrics.csv (question codes)
  survey_qualtrics.csv    Qualtrics export, three header rows, numeric answers
  labels_extra.csv        extra answer labels (German) for --labels
  activity.csv            2026-05-01 .. 2026-10-31
  activity_overlap.csv    2026-09-01 .. 2026-11-15, overlaps activity.csv
"""

import csv
import datetime as dt
import math
import os
import random
import sys

SEED = 20260314

# ---------------------------------------------------------------- people

FIRST = [
    "Anders", "Mette", "Søren", "Line", "Mikkel", "Camilla", "Rasmus", "Sofie",
    "Jesper", "Ida", "Kasper", "Freja", "Morten", "Nanna", "Frederik", "Maja",
    "Jonas", "Astrid", "Troels", "Signe", "Bjørn", "Ingrid", "Lars", "Sigrid",
    "Nils", "Karin", "Henrik", "Elin", "Asger", "Johanne", "Joost", "Femke",
    "Sanne", "Bram", "Maarten", "Lotte", "Pieter", "Anouk", "Daan", "Eline",
    "Ulrik", "Birgitte", "Oskar", "Tove", "Emil", "Malene", "Gustav", "Åse",
]
LAST = [
    "Nørgaard", "Kjær", "Lund", "Holm", "Dahl", "Bak", "Vestergaard",
    "Mølgaard", "Skov", "Bech", "Thygesen", "Brandt", "Krogh", "Lykke",
    "Juul", "Sørensen", "Damgaard", "Aagaard", "Lindqvist", "Berg", "Eklund",
    "Strand", "Haugen", "Solberg", "de Vries", "van Dijk", "Bakker", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "Jansen", "van Leeuwen", "Kuipers",
    "Østergaard", "Friis", "Hald", "Winther", "Riis",
]

DEPT_SIZES = [
    ("Development", 30), ("Sales", 25), ("Marketing", 20), ("Operations", 20),
    ("SEO", 15), ("SEM", 12), ("People", 14), ("Finance", 14),
]

# Personas: id -> (department, level, consent, short name, description).
# Documented in README.md; tests rely on them.
PERSONAS = {
    "E0101": ("Sales", "manager", "yes", "very active cynic"),
    "E0102": ("Marketing", "employee", "yes", "megaphone"),
    "E0103": ("People", "employee", "yes", "silent fan"),
    "E0104": ("SEO", "student", "yes", "one-week burst"),
    "E0105": ("SEM", "intern", "yes", "two lucky viral posts"),
    "E0106": ("Operations", "employee", "yes", "straight-liner"),
    "E0107": ("Sales", "employee", "yes", "too fast"),
    "E0108": ("Development", "employee", "yes", "ideal ambassador"),
    "E0109": ("Finance", "manager", "yes", "ideal ambassador"),
    "E0110": ("Marketing", "employee", "no", "opted out"),
    "E0111": ("Finance", "employee", "yes", "sparse answers"),
    "E0112": ("Development", "employee", "yes", "answered twice"),
}
UNKNOWN_RESPONDENTS = ["E9001", "E9002"]   # in the surveys, not on the roster
DUPLICATE_ID = "E0112"

N_PEOPLE = 150
N_CONSENT_NO = 6      # including E0110
N_CONSENT_EMPTY = 15
N_RESPONDENTS = 108   # consenting roster people who answer (incl. personas)

ASCII_FOLD = {"ø": "o", "æ": "ae", "å": "aa", "é": "e", "ö": "o", "ä": "a"}


def fold(s):
    s = s.lower()
    return "".join(ASCII_FOLD.get(c, c) for c in s if c not in " -'")


def email_of(name):
    first, last = name.split(" ", 1)
    return f"{fold(first)}.{fold(last)}@example.com"


def make_names(rng, n):
    names, seen, emails = [], set(), set()
    while len(names) < n:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name in seen or email_of(name) in emails:
            continue
        seen.add(name)
        emails.add(email_of(name))
        names.append(name)
    return names


def make_roster(rng):
    ids = [f"E{i:04d}" for i in range(1, N_PEOPLE + 1)]
    sizes = dict(DEPT_SIZES)
    for dept, _lvl, _c, _d in PERSONAS.values():
        sizes[dept] -= 1
    slots = [d for d, _ in DEPT_SIZES for _ in range(sizes[d])]
    rng.shuffle(slots)

    # Levels: mostly employee; managers, some students and interns, 4 partners.
    others = [i for i in ids if i not in PERSONAS]
    level_pool = (["partner"] * 4 + ["manager"] * 16 + ["student"] * 9 +
                  ["intern"] * 6)
    level_pool += ["employee"] * (len(others) - len(level_pool))
    rng.shuffle(level_pool)

    no_pool = rng.sample(others, (N_CONSENT_NO - 1) + N_CONSENT_EMPTY)
    consent_no = set(no_pool[:N_CONSENT_NO - 1])
    consent_empty = set(no_pool[N_CONSENT_NO - 1:])

    names = make_names(rng, N_PEOPLE + len(UNKNOWN_RESPONDENTS))
    people = []
    k = 0
    for idx, eid in enumerate(ids):
        if eid in PERSONAS:
            dept, level, consent, _ = PERSONAS[eid]
        else:
            dept, level = slots[k], level_pool[k]
            k += 1
            consent = ("no" if eid in consent_no else
                       "" if eid in consent_empty else "yes")
        people.append({
            "employee_id": eid, "name": names[idx], "email": email_of(names[idx]),
            "department": dept, "level": level, "consent": consent,
        })
    outsiders = [{"employee_id": e, "name": names[N_PEOPLE + j],
                  "email": email_of(names[N_PEOPLE + j])}
                 for j, e in enumerate(UNKNOWN_RESPONDENTS)]
    return people, outsiders


# ---------------------------------------------------------------- survey

# (question text as in the MS Forms header, Qualtrics code, construct,
#  min, max, reverse). Order = order in the form.
ITEMS = [
    ("I am proud to tell others where I work", "Q1", "attitude", 1, 5, False),
    ("I share things about my work because I enjoy it", "Q2", "intrinsic", 1, 5, False),
    ("I use LinkedIn at least weekly", "Q3", "social_use", 1, 5, False),
    ("I would hesitate to recommend us as a workplace", "Q4", "attitude", 1, 5, True),
    ("I like to pass on what I know to others", "Q5", "intrinsic", 1, 5, False),
    ("I would only post about work if I were rewarded for it", "Q6", "extrinsic", 1, 5, False),
    ("I post or comment on social media, privately or for work, at least once a month",
     "Q7", "social_use", 1, 5, False),
    ("I believe in what we do, and in how we do it", "Q8", "attitude", 1, 5, False),
    ("My field fascinates me, and I follow it in my spare time", "Q9", "intrinsic", 1, 5, False),
    ("I would post about work mainly because my manager expects it", "Q10", "extrinsic", 1, 5, False),
    ("I am comfortable writing posts in my own name", "Q11", "social_use", 1, 5, False),
    ("I speak positively about my employer to friends and family", "Q12", "attitude", 1, 5, False),
    ("I only talk about my work when I have to", "Q13", "intrinsic", 1, 5, True),
    ("On a scale from 0 to 10, how likely is it that you would recommend us "
     "as a workplace to a friend?", "Q14", "attitude", 0, 10, False),
]
FREE_TEXT = "Anything else you want to tell us?"
MSF_ID_COL = "Employee number"

DA_LABELS = {1: "Helt uenig", 2: "Uenig", 3: "Hverken enig eller uenig",
             4: "Enig", 5: "Helt enig"}
DE_LABELS = {1: "Stimme gar nicht zu", 2: "Stimme nicht zu",
             3: "Weder noch", 4: "Stimme zu", 5: "Stimme voll zu"}

FREE_TEXTS = [
    "Gerne mere om employer branding, tak!",
    'We should share more "behind the scenes" stuff, like the Friday demos.',
    "Jeg vil gerne være med.\nMen jeg har ikke så meget tid i Q2.",
    "Not on LinkedIn, sorry. I do use the intranet, though.",
    "Mere kaffe, færre møder 😉",
    '"Ambassador" sounds a bit corporate, but OK.',
    "- mere tid til at skrive, tak",
    "Happy to help the SEO team with a post or two, if someone reviews it first.",
    "Who decides what we may post?\nIs there a guideline?\nThanks",
    "Ik doe graag mee, maar liever niet op TikTok.",
    "Please no pressure to post, it should stay voluntary.",
    "Tak for et godt initiativ!",
    "@People team: will there be training?",
    "Our customers love the case stories, more of those, please",
    "Ingen kommentarer",
    "I'd rather write about our tech, not about \"culture\".",
]

SURVEY_START = dt.date(2026, 3, 9)   # Monday; open for three weeks
SURVEY_DAYS = 19


def clamp(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


def rnd(x):
    return int(math.floor(x + 0.5))


def answer_items(rng, traits, noise=0.72):
    """Answers from latent traits (1..5 scale) per construct."""
    out = []
    for _text, _code, construct, lo, hi, rev in ITEMS:
        t = traits[construct]
        if hi == 10:
            v = clamp(rnd((t - 1.0) * 2.5 + rng.gauss(0, 1.2)), 0, 10)
        else:
            v = clamp(rnd(t + rng.gauss(0, noise)), 1, 5)
            if rev:
                v = 6 - v
        out.append(v)
    return out


def survey_time(rng, day_offset=None, hour=None):
    while True:
        d = SURVEY_START + dt.timedelta(
            days=rng.randrange(SURVEY_DAYS) if day_offset is None else day_offset)
        if d.weekday() < 5 or day_offset is not None:
            break
    h = hour if hour is not None else rng.choice(
        [7, 8, 8, 9, 9, 9, 10, 10, 11, 12, 13, 13, 14, 14, 15, 16, 20, 21])
    return dt.datetime(d.year, d.month, d.day, h, rng.randrange(60), rng.randrange(60))


def make_survey(rng, people, outsiders, tiers):
    """Return responses: list of dicts with id, name, email, start, end, answers
    (list of int or None), text. Sorted by completion time."""
    by_id = {p["employee_id"]: p for p in people}
    yes_people = [p["employee_id"] for p in people if p["consent"] == "yes"]
    fixed = [e for e in PERSONAS if by_id[e]["consent"] == "yes"]
    pool = [e for e in yes_people if e not in PERSONAS]
    chosen = fixed + rng.sample(pool, N_RESPONDENTS - len(fixed))
    chosen += ["E0110"]                       # consent=no, answers anyway
    chosen.sort()

    responses = []

    def add(eid, answers, start, seconds, who=None, text=None):
        who = who or by_id[eid]
        responses.append({
            "id": eid, "name": who["name"], "email": who["email"],
            "start": start, "end": start + dt.timedelta(seconds=seconds),
            "answers": answers, "text": text,
        })

    def duration(r):
        return int(clamp(rng.lognormvariate(math.log(330), 0.45), 150, 1500))

    def free_text(r):
        return rng.choice(FREE_TEXTS) if r.random() < 0.28 else ""

    for eid in chosen:
        tier = tiers.get(eid, 0)
        z_att = rng.gauss(0, 1) + 0.2 * (tier - 1.2)
        z_int = 0.45 * z_att + 0.89 * rng.gauss(0, 1)
        traits = {
            "attitude": 3.75 + 0.85 * z_att,
            "intrinsic": 3.45 + 0.85 * z_int,
            "extrinsic": 2.3 - 0.25 * z_int + 0.9 * rng.gauss(0, 1),
            "social_use": 1.9 + 0.75 * tier + 0.25 * z_int + 0.6 * rng.gauss(0, 1),
        }
        noise = 0.72
        start = survey_time(rng)
        secs = duration(rng)
        text = free_text(rng)
        missing_p = 0.015

        if eid == "E0101":   # very active cynic
            traits.update(attitude=1.45, intrinsic=1.8, extrinsic=3.8, social_use=4.8)
            noise = 0.35
        elif eid == "E0102":  # megaphone
            traits.update(attitude=4.5, intrinsic=3.0, extrinsic=3.6, social_use=4.2)
        elif eid == "E0103":  # silent fan
            traits.update(attitude=4.85, intrinsic=4.8, extrinsic=1.5, social_use=1.6)
            noise = 0.3
        elif eid in ("E0104", "E0105"):  # burst / viral: decent attitude
            traits.update(attitude=4.0, intrinsic=3.7, extrinsic=2.2, social_use=3.8)
            noise = 0.4
        elif eid in ("E0108", "E0109"):  # ideal ambassadors
            traits.update(attitude=4.6, intrinsic=4.65, extrinsic=1.6, social_use=4.7)
            noise = 0.35
        elif eid == "E0107":  # too fast, varied answers
            traits.update(attitude=3.6, intrinsic=3.2, extrinsic=2.5, social_use=3.0)
            noise = 1.1
            secs = 25
            text = ""
        elif eid == "E0110":  # opted out
            traits.update(attitude=4.3, intrinsic=4.2, social_use=4.5)

        if eid == "E0106":   # straight-liner: "Enig" everywhere, 0-10 left empty
            answers = [4 if it[4] == 5 else None for it in ITEMS]
            secs = 40
            text = ""
        else:
            answers = answer_items(rng, traits, noise)
            if eid not in PERSONAS:
                answers = [None if rng.random() < missing_p else a for a in answers]
        if eid == "E0111":   # sparse: answers only 4 of 14 items
            keep = {0, 2, 4, 13}
            answers = [a if i in keep else None for i, a in enumerate(answers)]
            secs = 160
            text = ""
        if eid == "E0107":   # make sure the answers really vary
            answers[0], answers[1], answers[2] = 5, 2, 4

        if eid == DUPLICATE_ID:
            # First answer (10 March): negative. Second (20 March): positive.
            first = answer_items(rng, {"attitude": 1.8, "intrinsic": 1.9,
                                       "extrinsic": 4.2, "social_use": 2.0}, 0.35)
            add(eid, first, survey_time(rng, day_offset=1, hour=9), 290,
                text="Første udkast, jeg svarer igen senere.")
            answers = answer_items(rng, {"attitude": 4.6, "intrinsic": 4.5,
                                         "extrinsic": 1.6, "social_use": 4.3}, 0.35)
            start = survey_time(rng, day_offset=11, hour=14)
            secs = 410
            text = "Second try: I answered too quickly last week, these are my real answers."
        add(eid, answers, start, secs, text=text)

    for o in outsiders:
        traits = {"attitude": 3.5 + rng.gauss(0, 0.8), "intrinsic": 3.3,
                  "extrinsic": 2.5, "social_use": 3.0}
        add(o["employee_id"], answer_items(rng, traits), survey_time(rng),
            duration(rng), who=o, text="")

    # A few respondents answered anonymously (MS Forms writes "anonymous").
    normal = [r for r in responses if r["id"] not in PERSONAS
              and r["id"] not in UNKNOWN_RESPONDENTS]
    for r in rng.sample(normal, 3):
        r["email"], r["name"] = "anonymous", ""

    responses.sort(key=lambda r: (r["end"], r["id"]))
    return responses


def msforms_time(t):
    return f"{t.month}/{t.day}/{t.year % 100:02d} {t.hour}:{t.minute:02d}:{t.second:02d}"


def qualtrics_time(t):
    return t.strftime("%Y-%m-%d %H:%M:%S")


def write_csv(path, rows, bom=False):
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerows(rows)


def write_msforms(path, responses, labels):
    header = (["ID", "Start time", "Completion time", "Email", "Name", MSF_ID_COL]
              + [it[0] for it in ITEMS] + [FREE_TEXT])
    rows = [header]
    for n, r in enumerate(responses, 1):
        cells = []
        for (_t, _c, _k, _lo, hi, _rev), a in zip(ITEMS, r["answers"]):
            cells.append("" if a is None else str(a) if hi == 10 else labels[a])
        rows.append([str(n), msforms_time(r["start"]), msforms_time(r["end"]),
                     r["email"], r["name"], r["id"]] + cells + [r["text"]])
    write_csv(path, rows, bom=True)


def msforms_time_da(t):
    # A Danish Microsoft Forms tenant: day-month-year with dashes.
    return f"{t.day:02d}-{t.month:02d}-{t.year} {t.hour}:{t.minute:02d}:{t.second:02d}"


def write_msforms_da(path, responses):
    """Day-first dates and "Ved ikke" (don't know) answers, as a Danish
    tenant exports them; every seventh response has one "Ved ikke"."""
    header = (["ID", "Start time", "Completion time", "Email", "Name", MSF_ID_COL]
              + [it[0] for it in ITEMS] + [FREE_TEXT])
    rows = [header]
    for n, r in enumerate(responses, 1):
        cells = []
        for i, ((_t, _c, _k, _lo, hi, _rev), a) in enumerate(zip(ITEMS, r["answers"])):
            if hi != 10 and a is not None and n % 7 == 0 and i == n % len(ITEMS):
                cells.append("Ved ikke")
            else:
                cells.append("" if a is None else str(a) if hi == 10 else DA_LABELS[a])
        rows.append([str(n), msforms_time_da(r["start"]), msforms_time_da(r["end"]),
                     r["email"], r["name"], r["id"]] + cells + [r["text"]])
    write_csv(path, rows, bom=True)


def write_qualtrics(path, rng, responses):
    codes = ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)",
             "Finished", "RecordedDate", "ResponseId", "EmpID"]
    texts = ["Start Date", "End Date", "Response Type", "Progress",
             "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
             "What is your employee number?"]
    tz = ',"timeZone":"Europe/Copenhagen"}'
    imports = ['{"ImportId":"startDate"' + tz, '{"ImportId":"endDate"' + tz,
               '{"ImportId":"status"}', '{"ImportId":"progress"}',
               '{"ImportId":"duration"}', '{"ImportId":"finished"}',
               '{"ImportId":"recordedDate"' + tz, '{"ImportId":"_recordId"}',
               '{"ImportId":"QID1_TEXT"}']
    for i, it in enumerate(ITEMS):
        codes.append(it[1])
        texts.append(it[0])
        imports.append('{"ImportId":"QID%d"}' % (i + 2))
    codes.append("Q15")
    texts.append(FREE_TEXT)
    imports.append('{"ImportId":"QID%d_TEXT"}' % (len(ITEMS) + 2))
    rows = [codes, texts, imports]
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    for r in responses:
        rid = "R_" + "".join(rng.choice(alnum) for _ in range(15))
        secs = int((r["end"] - r["start"]).total_seconds())
        recorded = r["end"] + dt.timedelta(seconds=rng.randrange(3))
        rows.append([qualtrics_time(r["start"]), qualtrics_time(r["end"]), "0", "100",
                     str(secs), "1", qualtrics_time(recorded), rid, r["id"]]
                    + ["" if a is None else str(a) for a in r["answers"]]
                    + [r["text"]])
    write_csv(path, rows)


def codebook_rows(qualtrics):
    rows = [["column", "construct", "min", "max", "reverse"]]
    if qualtrics:
        rows += [["EmpID", "id", "", "", ""],
                 ["StartDate", "started_at", "", "", ""],
                 ["EndDate", "submitted_at", "", "", ""]]
    else:
        rows += [[MSF_ID_COL, "id", "", "", ""],
                 ["Start time", "started_at", "", "", ""],
                 ["Completion time", "submitted_at", "", "", ""]]
    for text, code, construct, lo, hi, rev in ITEMS:
        rows.append([code if qualtrics else text, construct, str(lo), str(hi),
                     "yes" if rev else "no"])
    return rows


# ---------------------------------------------------------------- activity

ACT_START = dt.date(2026, 5, 1)
MAIN_END = dt.date(2026, 10, 31)
OVERLAP_START = dt.date(2026, 9, 1)
ACT_END = dt.date(2026, 11, 15)
PREFIX = {"linkedin": "li", "facebook": "fb", "instagram": "ig", "tiktok": "tt",
          "x": "x", "intranet": "intra"}
OWN = ("post", "article", "video")


class Activity:
    def __init__(self, rng):
        self.rng = rng
        self.events = []
        self.used_ids = set()
        self.used_times = set()

    def post_id(self, platform):
        while True:
            pid = f"{PREFIX[platform]}:{self.rng.randrange(7000000, 7999999)}"
            if pid not in self.used_ids:
                self.used_ids.add(pid)
                return pid

    def when(self, eid, day, hours=None):
        rng = self.rng
        while True:
            h = rng.choice(hours or [6, 7, 7, 8, 8, 8, 9, 9, 10, 11, 12, 12, 13,
                                     14, 15, 16, 17, 18, 19, 20])
            t = dt.datetime(day.year, day.month, day.day, h, rng.randrange(60))
            if (eid, t) not in self.used_times:
                self.used_times.add((eid, t))
                return t

    def add(self, eid, day, platform, kind, origin="original", audience=300.0,
            with_id=True, hours=None, fixed=None):
        rng = self.rng
        t = self.when(eid, day, hours)
        row = {"employee_id": eid, "occurred_at": t, "platform": platform,
               "kind": kind, "origin": origin,
               "post_id": self.post_id(platform) if with_id else "",
               "reach": "", "reactions": "", "comments": "", "shares": "",
               "clicks": ""}
        if kind in OWN:
            if fixed:
                row.update({k: str(v) for k, v in fixed.items()})
            else:
                reach = audience * rng.lognormvariate(0, 0.6)
                if kind == "video":
                    reach *= 1.6
                if platform == "intranet":
                    reach = min(reach * 0.3, 140 + rng.randrange(30))
                if origin == "suggested":
                    reach *= 0.6
                reach = max(8, int(reach))
                reactions = int(reach * clamp(rng.lognormvariate(math.log(0.03), 0.5), 0.002, 0.2))
                comments = int(reactions * rng.uniform(0.03, 0.3))
                row.update(reach=str(reach), reactions=str(reactions),
                           comments=str(comments))
                if platform != "intranet":   # the intranet reports no shares/clicks
                    row.update(shares=str(int(reactions * rng.uniform(0, 0.12))),
                               clicks=str(int(reach * rng.uniform(0.002, 0.02))))
        self.events.append(row)


def poisson(rng, lam):
    L, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= L:
            return k
        k += 1


def weeks():
    """Mondays of the weeks touching ACT_START..ACT_END."""
    d = ACT_START - dt.timedelta(days=ACT_START.weekday())
    while d <= ACT_END:
        yield d
        d += dt.timedelta(days=7)


def day_in_week(rng, monday, weekend_p=0.12):
    while True:
        off = rng.randrange(7) if rng.random() < weekend_p else rng.randrange(5)
        d = monday + dt.timedelta(days=off)
        if ACT_START <= d <= ACT_END:
            return d


def assign_tiers(rng, people):
    """0 silent, 1 lurker, 2 occasional, 3 regular poster (~15%)."""
    tiers = {}
    for p in people:
        eid = p["employee_id"]
        if eid in PERSONAS:
            continue
        boost = 0.08 if p["department"] in ("Marketing", "SEO", "SEM") else 0.0
        u = rng.random()
        tiers[eid] = (3 if u < 0.10 + boost else 2 if u < 0.40 + boost
                      else 1 if u < 0.64 else 0)
    tiers.update({"E0101": 3, "E0102": 3, "E0103": 0, "E0104": 2, "E0105": 2,
                  "E0106": 2, "E0107": 2, "E0108": 3, "E0109": 3, "E0110": 3,
                  "E0111": 1, "E0112": 2})
    return tiers


def pick_platform(rng, prefs):
    u, acc = rng.random(), 0.0
    for plat, w in prefs:
        acc += w
        if u < acc:
            return plat
    return prefs[-1][0]


def platform_prefs(rng):
    base = [("linkedin", 0.55), ("intranet", 0.15), ("facebook", 0.1),
            ("instagram", 0.1), ("x", 0.05), ("tiktok", 0.05)]
    ws = [(p, w * rng.lognormvariate(0, 0.8)) for p, w in base]
    tot = sum(w for _, w in ws)
    return [(p, w / tot) for p, w in ws]


def own_kind(rng, platform):
    u = rng.random()
    if platform in ("linkedin", "intranet") and u < 0.06:
        return "article"
    if platform in ("tiktok",) or (platform in ("instagram", "linkedin") and u > 0.9):
        return "video"
    return "post"


def make_activity(rng, people, tiers):
    act = Activity(rng)
    params = {  # tier -> (weekly activity prob range, posts, comments, reactions, reshares)
        3: ((0.65, 0.95), 1.1, 1.3, 1.5, 0.45),
        2: ((0.10, 0.30), 0.6, 0.7, 1.2, 0.4),
        1: ((0.05, 0.20), 0.0, 0.2, 1.5, 0.35),
    }
    for p in people:
        eid = p["employee_id"]
        tier = tiers[eid]
        if eid in ("E0101", "E0102", "E0103", "E0104", "E0105", "E0108", "E0109"):
            continue   # scripted below
        if tier == 0:
            continue
        prefs = platform_prefs(rng)
        (lo, hi), lp, lc, lr, ls = params[tier]
        wp = rng.uniform(lo, hi)
        audience = rng.lognormvariate(math.log(350 if tier == 3 else 150), 0.8)
        sugg_p = rng.uniform(0, 0.3)
        for monday in weeks():
            if rng.random() >= wp:
                continue
            nposts = poisson(rng, lp)
            if tier == 3 and nposts == 0 and rng.random() < 0.6:
                nposts = 1
            for _ in range(nposts):
                plat = pick_platform(rng, prefs)
                kind = own_kind(rng, plat)
                origin = "suggested" if kind == "post" and rng.random() < sugg_p else "original"
                act.add(eid, day_in_week(rng, monday), plat, kind, origin, audience)
            for _ in range(poisson(rng, lc)):
                plat = pick_platform(rng, prefs)
                act.add(eid, day_in_week(rng, monday), plat, "comment",
                        with_id=plat != "intranet")
            for _ in range(poisson(rng, lr)):
                act.add(eid, day_in_week(rng, monday), pick_platform(rng, prefs),
                        "reaction", origin="", with_id=rng.random() < 0.6)
            for _ in range(poisson(rng, ls)):
                plat = pick_platform(rng, prefs)
                act.add(eid, day_in_week(rng, monday), plat, "reshare",
                        "suggested" if rng.random() < 0.6 else "original")

    # E0101 very active cynic: lots of own content every week.
    cyn = [("linkedin", 0.6), ("x", 0.25), ("facebook", 0.15)]
    for monday in weeks():
        for _ in range(3 + poisson(rng, 1.5)):
            plat = pick_platform(rng, cyn)
            act.add("E0101", day_in_week(rng, monday), plat, own_kind(rng, plat),
                    "original", 900)
        for _ in range(2 + poisson(rng, 1.5)):
            act.add("E0101", day_in_week(rng, monday), pick_platform(rng, cyn), "comment")

    # E0102 megaphone: only reshares of company content, many of them.
    for monday in weeks():
        for _ in range(3 + poisson(rng, 2.0)):
            act.add("E0102", day_in_week(rng, monday, 0.0),
                    "linkedin" if rng.random() < 0.7 else "facebook",
                    "reshare", "suggested")

    # E0104 one-week burst: 25 own posts in the week of 10-16 August 2026.
    burst_monday = dt.date(2026, 8, 10)
    for i in range(25):
        d = burst_monday + dt.timedelta(days=i % 7)
        act.add("E0104", d, "linkedin" if i % 5 else "instagram", "post",
                "original", 160)

    # E0105 two lucky viral posts, nothing else.
    act.add("E0105", dt.date(2026, 6, 11), "linkedin", "post", hours=[9],
            fixed={"reach": 200000, "reactions": 5000, "comments": 310,
                   "shares": 420, "clicks": 2600})
    act.add("E0105", dt.date(2026, 8, 19), "instagram", "post", hours=[18],
            fixed={"reach": 200000, "reactions": 5000, "comments": 280,
                   "shares": 390, "clicks": 1900})

    # E0108 / E0109 ideal ambassadors: steady own posts and comments.
    for eid, aud, prefs in (("E0108", 700, [("linkedin", 0.75), ("intranet", 0.25)]),
                            ("E0109", 500, [("linkedin", 0.65), ("intranet", 0.2),
                                            ("facebook", 0.15)])):
        for monday in weeks():
            if rng.random() >= 0.96:
                continue
            for _ in range(1 + poisson(rng, 0.4)):
                plat = pick_platform(rng, prefs)
                kind = own_kind(rng, plat)
                act.add(eid, day_in_week(rng, monday, 0.0), plat, kind,
                        "suggested" if kind == "post" and rng.random() < 0.08 else "original", aud)
            for _ in range(1 + poisson(rng, 1.5)):
                plat = pick_platform(rng, prefs)
                act.add(eid, day_in_week(rng, monday), plat, "comment",
                        with_id=plat != "intranet")
            for _ in range(poisson(rng, 1.5)):
                act.add(eid, day_in_week(rng, monday), pick_platform(rng, prefs),
                        "reaction", origin="", with_id=rng.random() < 0.6)
            if rng.random() < 0.25:
                act.add(eid, day_in_week(rng, monday), "linkedin", "reshare", "suggested")

    events = act.events
    events.sort(key=lambda e: (e["occurred_at"], e["employee_id"], e["kind"], e["post_id"]))
    return events


ACT_COLS = ["employee_id", "occurred_at", "platform", "kind", "origin", "post_id",
            "reach", "reactions", "comments", "shares", "clicks"]


def write_activity(path, events, first, last):
    rows = [ACT_COLS]
    for e in events:
        if first <= e["occurred_at"].date() <= last:
            r = dict(e, occurred_at=e["occurred_at"].strftime("%Y-%m-%dT%H:%M:%SZ"))
            rows.append([r[c] for c in ACT_COLS])
    write_csv(path, rows)
    return len(rows) - 1


# ---------------------------------------------------------------- main

def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(outdir, exist_ok=True)
    out = lambda name: os.path.join(outdir, name)
    rng = random.Random(SEED)
    # Separate streams so that changing one part leaves the others alone.
    r_roster, r_tier, r_survey, r_qual, r_act = (random.Random(rng.randrange(2**32))
                                                 for _ in range(5))

    people, outsiders = make_roster(r_roster)
    cols = ["employee_id", "name", "email", "department", "level", "consent"]
    write_csv(out("roster.csv"), [cols] + [[p[c] for c in cols] for p in people])

    tiers = assign_tiers(r_tier, people)
    responses = make_survey(r_survey, people, outsiders, tiers)
    write_csv(out("codebook.csv"), codebook_rows(qualtrics=False))
    write_csv(out("codebook_qualtrics.csv"), codebook_rows(qualtrics=True))
    write_msforms(out("survey_msforms.csv"), responses, DA_LABELS)
    write_qualtrics(out("survey_qualtrics.csv"), r_qual, responses)

    # German-labelled copy of a few complete, ordinary answers (same values and
    # times), to show --labels labels_extra.csv.
    de = [r for r in responses if r["id"] not in PERSONAS
          and r["id"] not in UNKNOWN_RESPONDENTS and None not in r["answers"]][:12]
    write_msforms(out("survey_msforms_de.csv"), de, DE_LABELS)
    # The ordinary answers again as a Danish tenant exports them.
    da = [r for r in responses if r["id"] not in PERSONAS
          and r["id"] not in UNKNOWN_RESPONDENTS][:40]
    write_msforms_da(out("survey_msforms_da.csv"), da)
    write_csv(out("labels_extra.csv"),
              [["label", "value"], ["Stimme gar nicht zu", "1"], ["Stimme nicht zu", "2"],
               ["Weder noch", "3"], ["Teils/teils", "3"], ["Stimme zu", "4"],
               ["Stimme voll zu", "5"], ["Stimme voll und ganz zu", "5"]])

    events = make_activity(r_act, people, tiers)
    n_main = write_activity(out("activity.csv"), events, ACT_START, MAIN_END)
    n_over = write_activity(out("activity_overlap.csv"), events, OVERLAP_START, ACT_END)

    print(f"roster.csv: {len(people)} people; surveys: {len(responses)} responses; "
          f"activity.csv: {n_main} events; activity_overlap.csv: {n_over} events "
          f"-> {outdir}")


if __name__ == "__main__":
    main()
