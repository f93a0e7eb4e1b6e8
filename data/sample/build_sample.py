"""Build the shipped sample data for comment-theming.

Writes, next to this file:
  survey_round.csv  - a synthetic annual member survey of a national NHS partnership forum
  tiny_round.csv    - a ~20-comment round for quick tests and demos
  answer_key.csv    - the themes/topics each survey_round answer was written for

Every comment below is invented and hand-written for this project. Names, the email address
and the phone numbers are fictitious (example.org, Ofcom drama ranges 07700 900xxx and
020 7946 0xxx). Standard library only; the output is fully deterministic.

Run:  python data/sample/build_sample.py
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Theme ids (must match the pipeline's shipped themes) and planted off-theme topics.
EE = "early_engagement"
ER = "employer_representation"
IC = "ics_growth"
CO = "communications"
MP = "ministerial_presence"
THEME_ORDER = [EE, ER, IC, CO, MP]
LP = "late_papers"
VM = "virtual_meetings"

ORG = {
    "U": "NHS trade union",
    "E": "NHS Employers",
    "T": "NHS trust or ICB",
    "N": "National body",
    "L": "Local government",
    "O": "Other",
}
EXPECTED_ORG_COUNTS = {"U": 45, "E": 30, "T": 35, "N": 20, "L": 10, "O": 10}

# Answers that carry no content. They get no answer-key row (compared after .strip()).
NON_ANSWERS = {"N/A", "n/a", "No comment", "None", "Nothing to add", "-", "No"}

SURVEY_COLUMNS = [
    "respondent_id",
    "organisation_type",
    "submitted",
    "s1_early_engagement",
    "s2_employer_representation",
    "s3_ics_growth",
    "s4_communications",
    "s5_ministerial_presence",
    "why_scores",
    "other_comments",
]


class A:
    """An annotated answer: the text plus the themes / topic it was written for."""

    def __init__(self, text: str, *themes: str, topic: str = "") -> None:
        assert all(t in THEME_ORDER for t in themes), themes
        assert topic in ("", LP, VM), topic
        self.text = text
        self.themes = sorted(set(themes), key=THEME_ORDER.index)
        self.topic = topic


def P(text: str) -> A:
    """Late meeting papers (planted off-theme topic)."""
    return A(text, topic=LP)


def V(text: str) -> A:
    """Virtual / hybrid meeting arrangements (planted off-theme topic)."""
    return A(text, topic=VM)


def as_answer(x: str | A) -> A:
    return x if isinstance(x, A) else A(x)


ROWS: list[tuple[str, str, A, A]] = []


def r(org: str, scores: str, why: str | A, other: str | A) -> None:
    """One respondent. scores: five characters, digits 1-5 or '.' for a blank cell."""
    assert org in ORG and len(scores) == 5 and set(scores) <= set("12345."), (org, scores)
    ROWS.append((org, scores, as_answer(why), as_answer(other)))


# The one answer that a second respondent copied word for word (R041 and R118).
COPIED = A(
    "It would be good to get feedback on outcomes after each meeting, "
    "not just a list of what was discussed.",
    CO,
)

LONG_COMMENT = A(
    "I wanted to take the opportunity to set out my views in a bit more detail, as I think "
    "the forum is at something of a turning point.\n"
    "\n"
    "First, on early engagement. The forum works best when partners are brought in while a "
    "policy is still being shaped. This year we saw both sides of that. The work on the "
    "refreshed guidance on supporting staff with long-term conditions was a model: we were "
    "involved at an early stage, we saw the options before anything was fixed, and the final "
    "version was better for it. By contrast, the changes to the national recruitment "
    "arrangements were presented to us as a done deal, with a fortnight to comment on a "
    "document that had clearly already been signed off. That undermines trust, and it makes "
    "it much harder for those of us who sit on the forum to defend its value back in our own "
    "organisations.\n"
    "\n"
    "Second, the landscape has moved on. Integrated care systems are now where a great deal "
    "of workforce planning happens, and ICBs are increasingly the bodies that trusts look to "
    "for direction. The forum still largely operates as if the national and trust levels are "
    "the only ones that matter. I would like to see ICS leads invited to take part in the "
    "relevant subgroups, a standing item on system-level partnership working, and some "
    "practical guidance on how partnership arrangements should operate across a whole "
    "system. Place-based partnerships in particular are developing in very different ways "
    "across the country, and there is a real risk that the good practice the forum has built "
    "up over many years simply never reaches them.\n"
    "\n"
    "Third, communications. I sit on the forum and I still struggle at times to know what "
    "has been agreed and what has happened since. For colleagues who do not attend, the forum "
    "is close to invisible. The website is rarely refreshed, and the updates that do come out "
    "tend to arrive weeks after the meeting, by which time the moment has passed. A short "
    "bulletin after every meeting, setting out what was discussed, what was decided and what "
    "happens next, would make an enormous difference. It would also help to close the loop "
    "with members on issues they have raised: too often something goes into the forum and "
    "nothing comes back.\n"
    "\n"
    "Fourth, ministerial presence. It was genuinely valuable to have the minister attend in "
    "the spring. The discussion was frank, the minister listened, and several partners "
    "commented afterwards that it felt like the forum was being taken seriously at the "
    "highest level. I would strongly encourage the secretariat to secure ministerial "
    "attendance at least once or twice a year, with enough time set aside for a proper "
    "conversation rather than a short speech followed by a handful of questions. Where a "
    "minister cannot attend, a senior official speaking on their behalf with a clear mandate "
    "would be the next best thing.\n"
    "\n"
    "Finally, I want to acknowledge that the forum does a great deal of good work that is "
    "rarely recognised. The relationships built around the table are real, and they have "
    "helped to resolve issues that would otherwise have escalated. None of the points above "
    "is meant as a criticism of the people involved, who give a lot of their time and "
    "goodwill. But the forum needs to evolve if it is to remain relevant. Earlier involvement "
    "in policy, a clear place for integrated care systems, better communications with the "
    "wider membership and regular ministerial presence would, in my view, put it on a much "
    "stronger footing for the years ahead.\n"
    "\n"
    "Happy to discuss any of this further, and thank you for reading this far.",
    EE,
    IC,
    CO,
    MP,
)

# ---------------------------------------------------------------------------------------
# Respondents R001..R150, in export order.  r(org, scores, why_scores, other_comments)
# ---------------------------------------------------------------------------------------

# fmt: off
r("U", "23432",  # R001
  A("We are too often told after the decision has already been made. Partners need to be "
    "engaged much earlier in the policy cycle.", EE),
  "Thank you to the secretariat for all their hard work.")
r("E", "41324",  # R002
  A("There are far too few employers at the table for this to feel like a genuine "
    "partnership. The union side dominates most discussions and the “employer voice” gets "
    "lost.", ER),
  "Thanks to the secretariat for pulling the joint guidance together so quickly.")
r("T", "34243",  # R003
  "Overall the forum does a good job of bringing partners together, but there’s room to "
  "improve.",
  P("Papers arrive the night before, which makes proper preparation impossible."))
r("U", "33335",  # R004
  A("It was really useful to have the minister attend the March meeting – it showed the "
    "forum is taken seriously.", MP),
  "N/A")
r("N", "44434",  # R005
  "Relationships between partners are strong and the tone of meetings is constructive.",
  A("Happy to help road-test a new newsletter format if that’s useful – contact me at "
    "j.morgan@example.org.", CO))
r("U", "1343.",  # R006
  A("It feels like we’re presented with a “done deal” and asked to comment on the wording.",
    EE),
  V("Dial-in quality is poor and it’s hard to hear people speaking in the room."))
r("T", "33233",  # R007
  A("The forum hasn’t caught up with the shift to integrated care systems. Most of the real "
    "decisions on workforce are now made at system level.", IC),
  "I would like to see more joint work on recruitment into hard-to-fill roles.")
r("E", "43344",  # R008
  "My scores reflect a mixed year.",
  "Keen to see more progress on workforce planning next year.")
r("U", "34422",  # R009
  A("I rarely know what the forum has discussed unless I was at the meeting. A short "
    "newsletter after each meeting would help.", CO),
  A("We haven’t seen a minister at the forum all year.", MP))
r("L", "34244",  # R010
  A("Place-based partnerships are becoming more important and the forum should reflect that "
    "– local authorities are central to them.", IC),
  V("Online meetings have made it much easier for colleagues outside London to take part."))
r("O", "33333",  # R011
  "I’ve scored in the middle because I only joined in the spring and haven’t seen enough "
  "yet.",
  "")
r("E", "44343",  # R012
  A("There has been some improvement – the workforce plan refresh involved us at an early "
    "stage, which was welcome.", EE),
  P("Agenda papers are often late. We need them at least a week ahead."))
r("T", "43344",  # R013
  "Sarah Whitfield chaired it brilliantly and kept every discussion focused, even the "
  "difficult ones.",
  "Keep up the good work.")
r("N", "44545",  # R014
  A("Pleased the forum now has a standing item on ICS developments.", IC),
  "-")
r("U", "14213",  # R015
  A("We’re told about decisions after they’ve been taken, and then the communications about "
    "them are poor, so members hear second-hand.", EE, CO),
  "No comment")
r("O", "33334",  # R016
  "Some of the statements are hard to judge from my position, so I’ve been cautious.",
  V("Travel to London in person is costly for a small organisation – please keep a virtual "
    "option."))
r("E", "44444",  # R017
  A("It was good to see more employer representatives at the spring meeting; the balance "
    "felt much better.", ER),
  "Looking forward to next year’s programme.")
r("T", "34335",  # R018
  A("The minister’s attendance in the autumn was the most productive session I’ve been to.",
    MP),
  "The forum has been a steadying influence in a turbulent year.")
r("U", "23322",  # R019
  "Things have improved since last year’s survey, but not by much.",
  A("The website is out of date; the last set of minutes posted is from last year.", CO))
r("U", "2443.",  # R020
  A("When the minister attends it should be to discuss policy that is still open, not to "
    "announce decisions that are already made.", EE, MP),
  "n/a")
r("T", "33243",  # R021
  "Generally positive, though progress on some joint work has been slow.",
  A("ICBs should have a seat at the table.", IC))
r("E", "32343",  # R022
  A("Trade union colleagues outnumber employers three to one in most meetings. It’s not a "
    "balanced conversation.", ER),
  "The social partnership model is worth protecting.")
r("N", "44444",  # R023  (exported twice)
  "The forum is valued by my organisation and these scores reflect that.",
  "Thanks for running this survey.")
r("U", "23333",  # R024
  A("Consultation comes too late to make any real difference.  By the time the forum sees a "
    "proposal the options have been closed down.", EE),
  P("Please circulate papers earlier. Reading 80 pages the evening before isn’t realistic."))
r("T", "34243",  # R025
  A("It would help to involve ICS leads in the subgroups, because that is where partnership "
    "working is now happening locally.", IC),
  "Really appreciate the effort that goes into the forum.")
r("L", "33434",  # R026
  "Scores are broadly the same as last year – nothing much has changed.",
  "Glad the forum exists; it has been especially useful for sharing practice.")
r("E", "24334",  # R027
  A("Employers need to be at the table early, before policy is fixed, otherwise "
    "implementation falls on us with no say in the design.", EE, ER),
  "Nothing to add")
r("L", "54435",  # R028
  A("Our views were sought at the formative stage on the violence prevention standards and "
    "you could see them reflected in the final version.", EE),
  A("The minister’s visit in June was a real boost for everyone in the room.", MP))
r("U", "33353",  # R029
  A("The summary briefings after each meeting are really helpful for cascading to our "
    "branches.", CO),
  A("Workload in my trust is at breaking point and I’d like the forum to take that "
    "seriously."))
r("T", "3333.",  # R030
  "The subgroups have done solid work on the health and wellbeing framework.",
  P("No time to read the papers before meetings – they came out less than 24 hours before on "
    "three occasions."))
r("N", "44444",  # R031
  A("Good to have the minister there, but it felt like a set-piece rather than a real "
    "discussion.", MP),
  "I’ve found the forum very welcoming as a new member.")
r("E", "33333",  # R032
  "I think the forum is doing the right things, but slowly.",
  V("Please keep meetings virtual; travelling to London in person for a two-hour meeting is "
    "hard to justify."))
r("U", "34331",  # R033
  A("Ministerial attendance was promised and didn’t happen.", MP),
  A("Feedback to members on what happened to the issues we raised is  very limited.", CO))
r("T", "33433",  # R034
  "Good culture of mutual respect, even when we disagree.",
  "The recent joint guidance on rostering was very practical.")
r("U", "24333",  # R035
  A("Being involved before decisions are taken is the whole point of partnership. Too often "
    "this year we were not.", EE),
  "The forum should be pushing harder on the timetable for this year’s pay award.")
r("E", "34443",  # R036
  A("The employer side is well represented on the main forum but almost absent from the "
    "subgroups.", ER),
  "A clearer annual workplan would help us prioritise.")
r("O", "23323",  # R037
  "Honest scores – the forum is useful but it could be more ambitious.",
  A("Earlier engagement and clearer feedback afterwards would transform how members see the "
    "forum.", EE, CO))
r("T", "33243",  # R038
  A("With ICBs taking on more workforce responsibilities, employer representation should "
    "include system-level organisations, not just trust chief executives.", ER, IC),
  "Good to see the forum growing in confidence.")
r("U", "33334",  # R039
  "The joint statement on sexual safety was a real achievement.",
  V("Hybrid format doesn’t work – people in the room forget those joining online."))
r("N", "44434",  # R040
  "Dr Patel’s presentation on staff wellbeing was one of the highlights of the year.",
  "N/A")
r("U", "33323",  # R041
  "A solid year. The secretariat has been very well organised.",
  COPIED)
r("E", "34344",  # R042
  "The forum has been steady but unremarkable this year.",
  "Agency spend remains a concern and I’d welcome more joint work on it.")
r("T", "43544",  # R043
  A("Good to see the session on integrated care systems in June – more of that please.", IC),
  "More data on workforce trends would strengthen the discussions.")
r("U", "13332",  # R044
  A("National bodies still bring things to us at the eleventh hour. ", EE),
  P("I regularly receive papers on the morning of the meeting."))
r("L", "33434",  # R045
  "I think the forum punches above its weight.",
  A("The website should have a section for integrated care systems so ICB and council staff "
    "can find the relevant agreements.", IC, CO))
r("U", "33342",  # R046
  A("Would like a minister to attend at least twice a year.", MP),
  "No")
r("E", "32333",  # R047
  A("Small and specialist trusts rarely have an employer voice here.", ER),
  "Thanks to the team â€“ itâ€™s been a good year.")
r("T", "33333",  # R048
  "Good discussions, but action points are not always followed through.",
  A("It would really help if a minister came along at least once a year – the forum "
    "needs that visibility.", MP))
r("N", "45444",  # R049
  A("The employer voice has been stronger this year and it shows in the quality of the joint "
    "statements.", ER),
  "Keep up the excellent work, everyone.")
r("U", "3434.",  # R050
  "Scores reflect how I feel about the forum overall rather than each statement "
  "specifically.",
  V("In-person meetings are better for building relationships; I’d prefer fewer Teams calls "
    "and more face-to-face."))
r("T", "33233",  # R051
  A("System-level partnership forums are springing up everywhere; the national forum should "
    "be connecting them.", IC),
  "n/a")
r("U", "33423",  # R052
  A("I found out about the forum’s joint statement on agency staffing from social media "
    "before any update reached us.", CO),
  "The forum should do more to recognise the pressures on frontline staff.")
r("E", "33333",  # R053
  "Three out of five across the board; the forum is fine but not inspiring.",
  "Action logs should be reviewed at every meeting.")
r("U", "14333",  # R054
  A("Members only heard about the changes to the staff survey once they’d been agreed. That "
    "is not partnership.", EE),
  A("Ministers should hear directly from staff representatives more often.", MP))
r("T", "34334",  # R055
  "Difficult year for everyone; the forum has held together well under pressure.",
  P("Late papers mean people turn up unprepared and the meeting spends half its time "
    "catching up."))
r("N", "34343",  # R056
  A("Would welcome a session with the minister focused on integrated care systems and what "
    "partnership means at system level.", IC, MP),
  "A thoughtful, well-prepared set of meetings this year.")
r("N", "33334",  # R057
  "The forum has been very productive on the equality, diversity and inclusion work.",
  "Nothing to add")
r("E", "44343",  # R058
  A("Employer representation has improved this year, credit to the co-chairs.", ER),
  V("Teams meetings are fine, but at least one meeting a year should be in person."))
r("T", "33233",  # R059
  A("The structure of the forum still reflects the old world of individual trusts rather "
    "than system-level working.", IC),
  "Would welcome more joint work on sickness absence.")
r("U", "33443",  # R060
  "Chairing has been fair and balanced.",
  "Delighted with the progress on the sexual safety charter.")
r("O", "24434",  # R061
  A("Engagement with partners happens too late. Involve us at the start, not the end.", EE),
  P("Too often the papers land the night before. Hard to give a considered view."))
r("U", "34424",  # R062
  A("Regular updates between meetings would keep momentum going.", CO),
  "Car parking charges for staff are still a live issue in many areas.")
r("T", "33323",  # R063
  "It is a well-run forum with committed people.",
  A("Email updates are too long; a one-page summary would be read more widely. ", CO))
r("E", "32332",  # R064
  A("When the minister attended, there were hardly any employer representatives in the room, "
    "which gave a lopsided picture.", ER, MP),
  "-")
r("O", "33333",  # R065
  "",
  "")
r("N", "44445",  # R066
  A("Ministerial attendance adds real weight to what we agree.", MP),
  V("Could we ask people to keep cameras on in online meetings? It’s hard to have a "
    "discussion with a wall of black squares."))
r("T", "34343",  # R067
  A("ICB workforce leads could attend on a rotating basis.", IC),
  "Please do something about the expenses claim process; it takes months.")
r("U", "23423",  # R068
  A("Please publish a forward look on the website so we can see what policy is coming and "
    "contribute before it is decided.", EE, CO),
  "The workforce race equality work deserves more attention.")
r("E", "44443",  # R069
  "Largely positive. Still a few frustrations but nothing major.",
  "Credit to the co-chairs for a productive year.")
r("L", "34244",  # R070
  A("Local government colleagues working in integrated care systems have a lot to offer the "
    "forum, but we’re rarely asked.", IC),
  P("The agenda and papers should go out five working days before, as the terms of reference "
    "say."))
r("U", "23323",  # R071
  "My scores are lower than I’d like because not much has been delivered.",
  A("As a union rep I’d actually welcome more employers in the room – decisions stick "
    "better when both sides own them.", ER))
r("T", "33335",  # R072
  A("Having the minister in the room changed the tone of the whole meeting.", MP),
  "Good year – the trust has benefited from the forum’s guidance.")
r("E", "33333",  # R073
  "Some good work this year, particularly on the flexible retirement guidance.",
  "n/a")
r("E", "32343",  # R074
  A("Employers are under-represented on the workforce subgroup, which is where the detail "
    "is decided.", ER),
  "I’d like to see more focus on delivery in the coming year.")
r("N", "44544",  # R075
  A("The forum has started to adapt to integrated care, and the new ICB representatives "
    "have been a valuable addition.", IC),
  "Excellent support from the secretariat throughout.")
r("U", "14322",  # R076
  A("Would like a commitment that partners are consulted before any announcement, not on "
    "the same day as the press. If anyone from the secretariat wants to talk this through, "
    "I’m on 07700 900461.", EE),
  A("The minister left after twenty minutes. A longer session would be more valuable.", MP))
r("T", "33453",  # R077
  A("Keep the monthly updates coming, they are useful.", CO),
  "None")
r("U", "33333",  # R078  (exported twice)
  "Fair scores – good in places, could do better in others.",
  P("Papers still arrive too late – I donâ€™t have time to read them properly or talk them "
    "through with colleagues."))
r("E", "32443",  # R079
  A("Hard to see how agreements get implemented when so few employers are part of the "
    "discussion.", ER),
  "The subgroups would benefit from clearer objectives.")
r("O", "33233",  # R080
  A("Integrated care systems are mentioned a lot but not really built into how the forum "
    "works.", IC),
  "Our organisation values its observer status at the forum.")
r("T", "33333",  # R081
  "I’m still new to the forum so I’m scoring on first impressions.",
  V("The hybrid set-up in the meeting room needs a better microphone; people joining "
    "remotely miss half of what is said."))
r("U", "23333",  # R082
  A("Timing is the problem. We get asked for views once the policy is effectively settled.",
    EE),
  "The forum could do more on equality in career progression.")
r("N", "43444",  # R083
  "The forum is making steady progress.",
  A("Employer attendance has been patchy and that weakens what the forum can agree.", ER))
r("U", "33325",  # R084
  A("The minister’s attendance was great, but it wasn’t communicated to members afterwards "
    "– a short write-up in the newsletter would have helped.", MP, CO),
  "-")
r("T", "33243",  # R085
  A("There’s no clear link between what is agreed here and what happens in ICBs.", IC),
  "Thanks to Sarah Whitfield and the team for a well-organised year.")
r("E", "44434",  # R086
  "The tone has improved and there’s more trust between partners.",
  P("Getting papers earlier would let us prepare properly – at the moment it’s a scramble."))
r("U", "33423",  # R087
  A("Most of my colleagues have no idea what the forum does. Better communications would "
    "raise its profile.", CO),
  "")
r("L", "33344",  # R088
  "We’ve had some difficult conversations this year, handled well.",
  "It would be good to see social care workforce issues discussed more often.")
r("T", "34333",  # R089
  "",
  "N/A")
r("U", "44434",  # R090
  A("Really pleased that we were engaged earlier on the guidance on flexible working this "
    "time. More of that please.", EE),
  "It is a privilege to be part of the forum.")
r("E", "32343",  # R091
  A("I’d like to see a rota so that a wider range of employers take part, not the same few "
    "faces.", ER),
  V("Online meetings on Teams have worked well and save a day’s travel to London."))
r("N", "54344",  # R092
  A("The early discussion on the refreshed people plan was a good example of what should "
    "happen every time: we saw the thinking before anything was fixed.", EE),
  "Credit to everyone for keeping discussions respectful during a tense pay round.")
r("U", "33332",  # R093
  A("Without ministerial presence the forum risks being seen as a “talking shop”.", MP),
  "Good work this year – well done all.")
r("T", "23233",  # R094
  A("ICBs should be involved at an early stage when national workforce policy is being "
    "developed, as they are the ones expected to deliver it.", EE, IC),
  "")
r("U", "33333",  # R095
  "The forum is a valuable space, but progress can be slow.",
  "Staff facing violence and aggression at work should be a much higher priority.")
r("E", "33333",  # R096
  "",
  "No")
r("T", "34353",  # R097
  A("The new quarterly newsletter is excellent – clear and to the point.", CO),
  "Continuity of membership has helped this year.")
r("U", "34344",  # R098
  "I value the forum, but it needs a clearer sense of priorities.",
  V("Cameras off, microphones muted, no real discussion – the virtual format needs better "
    "chairing."))
r("O", "33333",  # R099
  "Mostly satisfied.",
  "I hope the forum continues to get the support it needs.")
r("N", "34435",  # R100
  A("I’d rather have a minister attend once and listen properly than make a short "
    "appearance at every meeting.", MP),
  "We remain committed to supporting the forum’s work.")
r("U", "13333",  # R101
  A("We donâ€™t get involved until itâ€™s too late to change anything.", EE),
  "I’d welcome more opportunities for informal networking between meetings.")
r("T", "33243",  # R102
  A("Regional and system level structures are changing fast and the forum needs to keep "
    "pace.", IC),
  "Please keep the survey short – this one was about right.")
r("E", "3324.",  # R103
  A("The employer side has shrunk and I suspect many employers simply don’t know the forum "
    "exists – better communications would help recruit them.", ER, CO),
  "")
r("U", "33333",  # R104
  "Broadly content.",
  P("   Half the agenda papers were tabled on the day in July."))
r("T", "33333",  # R105
  "Generally good, with some areas for improvement.",
  "Some subgroups meet too often for the amount of business they have.")
r("U", "34233",  # R106
  A("We need guidance on how partnership arrangements work across an ICS footprint. Our "
    "regional office is happy to help – call +44 20 7946 0321.", IC),
  "")
r("E", "32333",  # R107
  A("Union side voices dominate, partly because employer reps can’t get the time out of "
    "their day jobs.", ER),
  "Thanks for the opportunity to give feedback.")
r("N", "44444",  # R108
  "A strong year for partnership working at the forum.",
  "Well done everyone.")
r("U", "33323",  # R109
  "Scores reflect a decent year with some clear achievements.",
  "")
r("L", "33333",  # R110
  "",
  V("Hybrid meetings have been frustrating, with people on the call often unable to get "
    "into the conversation."))
r("T", "34344",  # R111
  "Partnership working at national level is in good health.",
  "The guidance produced this year has been practical and well received in my organisation.")
r("U", "33423",  # R112
  "The forum feels more purposeful than it did a year ago.",
  A("We need clearer communications about what has been agreed and what members are "
    "expected to do with it.", CO))
r("E", "34333",  # R113
  A("More chief executives and HR directors at the table would give the forum more weight "
    "with trusts.", ER),
  A("Employer representatives from primary care and community services are almost never "
    "heard here.", ER))
r("T", "23232",  # R114
  "I gave lower scores this year because the forum seemed to lose momentum over the summer.",
  P("Late circulation of papers is my single biggest frustration."))
r("U", "33332",  # R115
  A("Ministerial engagement has dropped off since the reshuffle.", MP),
  "Really valued the joint work on menopause support.")
r("N", "34343",  # R116
  "Most of my interaction is through the subgroup, which works well.",
  V("Moving to Teams has worked well for me and my team."))
r("U", "24233",  # R117
  A("Place-based partnerships are being designed without early input from staff side – we "
    "should be in the room at the start.", EE, IC),
  "No comment")
r("E", "33333",  # R118
  "",
  COPIED)
r("T", "44444",  # R119
  "Thoroughly positive year.",
  "Great to see the joint work on flexible working paying off.")
r("O", "33323",  # R120
  A("Communications from the forum are sporadic. I’d like a regular bulletin.", CO),
  "Would welcome a review of how subgroup chairs are appointed.")
r("U", "23332",  # R121
  A("The ministerial session felt like a \"done deal\" being presented rather than a "
    "discussion.", EE, MP),
  "")
r("T", "44344",  # R122
  A("More employer representatives, and better updates for those who can’t attend, would "
    "improve things.", ER, CO),
  "The annual conference was excellent.")
r("U", "24343",  # R123
  "Steady year; a few highlights, a few disappointments.",
  "The pensions subgroup has been excellent.")
r("E", "33333",  # R124
  "Mixed feelings this year.",
  "The forum would benefit from clearer success measures.")
r("L", "33343",  # R125
  "It would be good to revisit the terms of reference.",
  "Nothing to add")
r("U", "33353",  # R126
  "",
  A("Communications have improved noticeably since the bulletin was relaunched.", CO))
r("T", "33243",  # R127
  A("Itâ€™s not clear how ICBs fit into the forumâ€™s work.", IC),
  "Some meetings overran badly; better timekeeping, please.")
r("N", "44444",  # R128
  "Good year overall.",
  "-")
r("U", "33333",  # R129
  "Honestly not sure the forum makes much difference to my members.",
  "Too many presentations, not enough discussion.")
r("E", "34344",  # R130
  A("Good to see more employers attending this year; the balance is improving.", ER),
  "Would welcome a joint piece of work on apprenticeships.")
r("T", "33333",  # R131
  "Scores reflect a year of real progress in some areas and frustrating gaps in others.",
  LONG_COMMENT)
r("U", "33323",  # R132
  "The forum does valuable work, though it can be slow to reach agreement.",
  "")
r("O", "33333",  # R133
  "Useful forum overall.",
  "Would welcome work on retention of international recruits.")
r("N", "33333",  # R134
  "",
  "")
r("E", "44344",  # R135
  "The forum is in a better place than it was.",
  "Good balance between strategic and operational items.")
r("T", "34334",  # R136
  "Broadly happy with how things are going.",
  "The forum should spend more time on the staff shortages in maternity services.")
r("U", "23333",  # R137  (exported twice)
  A("Too much of the forum’s time is spent reacting to decisions taken elsewhere rather than "
    "shaping them early.", EE),
  "No comment")
r("N", "44445",  # R138
  A("Ministerial support for the forum has been visible this year, which matters.", MP),
  "")
r("T", "33333",  # R139
  "",
  "n/a")
r("U", "23333",  # R140
  "I’ve scored lower on a couple of statements where I think the forum has stood still.",
  "Keen to see the forum take on retention next year.")
r("E", "33343",  # R141
  "",
  "Please keep doing this survey every year.")
r("L", "33233",  # R142
  A("Integrated care and place-based working are where the action is for councils; the "
    "forum should be building links with ICS partnership boards.", IC),
  "Council partners value being part of this forum.")
r("N", "33333",  # R143
  "Generally fine.",
  "Nothing to add")
r("T", "33333",  # R144
  "A reasonable year.",
  "I hope next year brings more concrete results.")
r("N", "44435",  # R145
  A("Meeting the minister was the highlight of my year on the forum.", MP),
  "")
r("O", "33333",  # R146
  "",
  "No")
r("L", "33334",  # R147
  "OK overall.",
  "Would welcome more attention to public health workforce issues.")
r("E", "32343",  # R148
  A("The employer voice is often drowned out.", ER),
  "")
r("T", "33343",  # R149
  "Hard to say – I haven’t been as close to the work this year.",
  "The forum’s work on staff wellbeing has been well received locally.")
r("E", "3333.",  # R150
  "",
  "Thanks to all involved.")

# fmt: on

# Respondents whose row appears twice in the export (identical copies).
DUPLICATED = {"R023": "next", "R078": "end", "R137": "end"}

# ---------------------------------------------------------------------------------------
# tiny_round.csv: (team, intended theme/topic - documentation only, not written, comment)
# ---------------------------------------------------------------------------------------
TEAMS = {"U": "Union side", "E": "Employer side", "S": "System partners"}
TINY = [
    ("U", EE, "We keep being asked for views after the decision is already made."),
    ("E", CO, "The newsletter is really handy for keeping up with what the forum does."),
    ("S", IC, "ICBs need a proper place in the forum now so much happens at system level."),
    ("U", LP, "Papers came out the night before again, so nobody had read them."),
    ("E", MP, "Having the minister attend in March gave the meeting real weight."),
    ("S", EE, "Please involve us at an early stage, before the options are closed down."),
    ("U", "", ""),
    ("E", LP, "Agenda papers arrive far too late to prepare properly."),
    ("S", CO, "More regular updates from the forum would help us brief our boards."),
    ("U", MP, "It would be good to see a minister at the forum more than once a year."),
    ("E", IC, "Integrated care systems should be represented on the subgroups."),
    ("S", "", "N/A"),
    ("U", EE, "Consult us before decisions, not after – that’s what partnership means."),
    ("E", CO, "The website is hard to navigate and rarely refreshed."),
    ("S", LP, "No time to read the papers when they land on the morning of the meeting."),
    ("U", MP, "Ministerial attendance makes a big difference to how seriously we’re taken."),
    ("E", IC, "The forum should connect with place-based partnerships and ICS leads."),
    ("S", EE, "Being engaged earlier on the staffing guidance was a welcome change."),
    ("U", CO, "Communications about what was agreed rarely reach our members."),
    ("E", LP, "Late papers again – please send them out a week ahead."),
]


# ---------------------------------------------------------------------------------------


def submitted_date(i: int) -> str:
    """Deterministic September 2026 date for the i-th respondent (1-based)."""
    return f"2026-09-{(i * 7) % 30 + 1:02d}"


def is_answer(text: str) -> bool:
    s = text.strip()
    return bool(s) and s not in NON_ANSWERS


def build() -> dict[str, int]:
    assert len(ROWS) == 150, len(ROWS)
    org_counts = Counter(org for org, *_ in ROWS)
    assert org_counts == Counter(EXPECTED_ORG_COUNTS), org_counts

    survey: list[list[str]] = []
    key: list[list[str]] = []
    by_id: dict[str, list[str]] = {}
    for i, (org, scores, why, other) in enumerate(ROWS, start=1):
        rid = f"R{i:03d}"
        row = [rid, ORG[org], submitted_date(i)]
        row += ["" if c == "." else c for c in scores]
        row += [why.text, other.text]
        survey.append(row)
        by_id[rid] = row
        for question, ans in (("why_scores", why), ("other_comments", other)):
            if is_answer(ans.text):
                key.append([rid, question, "|".join(ans.themes), ans.topic])
            else:
                assert not ans.themes and not ans.topic, (rid, question)

    # Insert the duplicated exports.
    out: list[list[str]] = []
    for row in survey:
        out.append(row)
        if DUPLICATED.get(row[0]) == "next":
            out.append(list(row))
    for rid, where in DUPLICATED.items():
        if where == "end":
            out.append(list(by_id[rid]))

    # Sanity: every substantive answer is unique except the planted copy.
    texts = Counter(a for row in survey for a in row[8:] if is_answer(a))
    repeated = {t: n for t, n in texts.items() if n > 1}
    assert repeated == {COPIED.text: 2}, repeated

    with open(HERE / "survey_round.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SURVEY_COLUMNS)
        w.writerows(out)

    with open(HERE / "answer_key.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["respondent_id", "question", "themes", "topic"])
        w.writerows(key)

    assert len(TINY) == 20
    with open(HERE / "tiny_round.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "team", "comment"])
        for i, (team, _label, comment) in enumerate(TINY, start=1):
            w.writerow([f"T{i:02d}", TEAMS[team], comment])

    return {"survey_rows": len(out), "key_rows": len(key), "tiny_rows": len(TINY)}


if __name__ == "__main__":
    counts = build()
    print(", ".join(f"{k}={v}" for k, v in counts.items()))
