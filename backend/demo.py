"""A demo student with a realistic network, built through the same commands the API runs.

`seed_demo` signs a student up, sets their career interests and goals, and plays about a year of
informational interviews through `backend.relationships.service`: contacts in five career fields,
referral chains, every stage, notes that differ from person to person within a field, action items,
reflections and a few things left overdue. Every command is decided at a simulated moment in the
past (its `now`), so the deciders' rules hold exactly as they would have at the time.

The content is deterministic for a given `seed` (`random.Random(seed)`); dates are relative to
`now`, and ids are random (so two demo students in one database never collide).

Layout: contacts come in blocks of 40 (8 per field). In each field, slots 0-3 are a referral chain
(0 referred the student to 1, 1 to 2, 2 to 3: depth 3); slots 3-7 take the stages in `_TAILS`. More
than 40 contacts repeat the layout with fresh names and dates; fewer keep the first ones, which are
spread over every field.
"""

import asyncio
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from backend.accounts.access_tokens import issue_token
from backend.accounts.sign_up import AdvisorSignUp, SignUp, sign_up, sign_up_advisor
from backend.advisors.grants import create_invite_code
from backend.calendar import StudentCalendar
from backend.eventstore import EventStore, Metadata
from backend.eventstore.types import Conn
from backend.relationships import service
from backend.relationships.commands.contact import AddContact, AddNote, ArchiveContact
from backend.relationships.commands.follow_through import (
    AddActionItem,
    CompleteActionItem,
    KeepInTouch,
    RecordReferral,
    RecordReflection,
    SendThanks,
)
from backend.relationships.commands.interview import (
    CancelInterview,
    RecordInterviewHeld,
    RescheduleInterview,
    ScheduleInterview,
)
from backend.relationships.commands.request import FollowUpRequest, RecordAnswer, RequestInterview
from backend.relationships.events import Channel, HowFound, MeetingFormat, Party
from backend.students import service as student_service
from backend.students.commands import (
    GrantAdvisorAccess,
    RevokeAdvisorAccess,
    SetCareerInterests,
    SetGoals,
    UpdateProfile,
)

DEFAULT_EMAIL = "demo@rapport.example"
DEFAULT_PASSWORD = "rapport-demo-password"  # noqa: S105 - a published demo password, by design
DISPLAY_NAME = "Jordan Rivera"
SCHOOL = "Lakeshore State University"
TIME_ZONE = "America/New_York"
COUNTRY = "US"
TOKEN_NAME = "demo seed"  # noqa: S105 - the token's label, not a secret
BLOCK = 40  # contacts per repetition of the layout: 5 fields x 8 slots


ADVISOR_NAME = "Dr. Avery Okafor"
CLASSMATES = (("Riley Chen", "summary"), ("Morgan Patel", "revoked"))
"""Two more students of the advisor's: one shares a summary, one shared and then revoked."""
CLASSMATE_CONTACTS = 8


def related_email(email: str, tag: str) -> str:
    """The demo's other accounts, beside the student's email: `demo+advisor@rapport.example`."""
    local, _, domain = email.partition("@")
    return f"{local}+{tag}@{domain}"


class EmailTakenError(Exception):
    """The demo's email already has an account."""


@dataclass(frozen=True)
class DemoStudent:
    account_id: UUID
    email: str
    password: str
    display_name: str
    token: str
    """A personal access token: `Authorization: Bearer <token>`."""
    contacts: int
    events: int
    advisor_id: UUID
    advisor_email: str
    """The advisor's account (same password): the student granted them `notes`."""
    classmates: tuple[UUID, ...]
    """The advisor's other students: the first granted `summary`, the second granted and revoked."""


# -- what people said --------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """One person's take on their field: what an interview with them yields."""

    notes: str
    takeaways: str
    advice: str
    resources: tuple[str, ...]
    fit: int
    helpful: str
    promise: str
    learned: str
    next_steps: str


@dataclass(frozen=True)
class Field:
    name: str
    tags: tuple[str, ...]
    organizations: tuple[str, ...]
    titles: tuple[str, ...]
    views: tuple[View, ...]
    topic: str  # "how I got into {topic}" in a request


FIELDS: tuple[Field, ...] = (
    Field(
        name="UX research",
        tags=("ux",),
        topic="user research",
        organizations=(
            "Brightline Health",
            "Northwind Software",
            "City of Lakeshore Digital Services",
            "Lumen Financial",
            "Fieldwork Design Studio",
            "Lakeshore State HCI Lab",
        ),
        titles=(
            "UX Researcher",
            "Senior UX Researcher",
            "Research Operations Manager",
            "Quantitative UX Researcher",
            "Design Researcher",
            "Head of Research",
        ),
        views=(
            View(
                notes="Leads a two-person research team at a patient-scheduling app. Splits her time between "
                "interviews with clinic staff and quick usability rounds before each release. The hardest part "
                "is getting engineers to watch sessions, so she cuts two-minute highlight reels.",
                takeaways="Research only matters if the team acts on it: synthesis and storytelling are half the job.",
                advice="Put one case study in the portfolio that shows a decision the research changed, "
                "not just the methods used.",
                resources=("Just Enough Research (Erika Hall)", "ResearchOps Community Slack"),
                fit=2,
                helpful="the idea of two-minute highlight reels to get engineers to watch sessions",
                promise="Send her my capstone case-study draft",
                learned="I light up when research is close to real users in messy settings like clinics.",
                next_steps="Rewrite my capstone as a case study that ends with the decision it changed.",
            ),
            View(
                notes="Works at a design consultancy: six-to-ten-week projects across very different industries, "
                "a bank one month and a museum the next. Loves the variety, but rarely sees whether the "
                "recommendations ship.",
                takeaways="Agencies teach speed and breadth; in-house teams teach depth and influence.",
                advice="Learn to recruit participants and run a study on almost no budget: that is what juniors "
                "are asked to do.",
                resources=("Nielsen Norman Group articles on usability testing",),
                fit=1,
                helpful="your comparison of agency and in-house research, which I had never thought about",
                promise="Run a five-person guerrilla usability test of the library website",
                learned="Variety sounds fun, but I want to see my work ship; in-house fits me better.",
                next_steps="Run a guerrilla test on campus to practise recruiting on no budget.",
            ),
            View(
                notes="Came to UX from a psychology PhD. Runs large surveys and log analyses at a fintech and pairs "
                "them with interviews. Thinks quantitative skills are the scarcest thing on research teams.",
                takeaways="Survey design and basic statistics in R or Python would set me apart from other juniors.",
                advice="Take a survey methods course before graduating and learn enough SQL to pull your own data.",
                resources=("Quantifying the User Experience (Sauro & Lewis)", "Coursera: Survey Data Collection"),
                fit=1,
                helpful="knowing that my statistics minor is an asset in UX research, not a detour",
                promise="Share the survey I designed for the campus dining study",
                learned="My statistics minor is a real advantage for quantitative UX roles.",
                next_steps="Enrol in the survey methods elective; practise SQL on public data.",
            ),
            View(
                notes="Researcher on the city's digital services team. Tests forms and services with residents, "
                "including people with low literacy and screen-reader users. Talked a lot about accessibility "
                "and plain language.",
                takeaways="Public-sector UX is slower, but the users are everyone and accessibility is not optional.",
                advice="Volunteer with a civic tech group to get real research experience with public services.",
                resources=("Code for America brigade", "plainlanguage.gov guidelines"),
                fit=2,
                helpful="the story about testing the benefits form with screen-reader users",
                promise="Come to the civic tech night and bring a friend from the design club",
                learned="Public services are where research can help the most people; that matters to me.",
                next_steps="Join the civic tech group's next project night.",
            ),
            View(
                notes="Manages eight researchers at a large software company. Hires juniors for curiosity and clear "
                "writing over tool knowledge. Honest that entry-level research roles are scarce right now.",
                takeaways="Research coordinator and research ops roles are a realistic first door into UX research.",
                advice="Apply to coordinator roles, and write up every study as if for a hiring manager.",
                resources=("ResearchOps Community job board",),
                fit=0,
                helpful="your frank view of the entry-level market and the coordinator path",
                promise="Send her the two study write-ups once they are polished",
                learned="I should widen my search to research ops and coordinator roles.",
                next_steps="Add coordinator roles to my job alerts; tighten two study write-ups.",
            ),
            View(
                notes="Postdoc in the university's HCI lab after five years in industry. Described how academic and "
                "industry research differ: years against weeks, publishing against shipping.",
                takeaways="A master's in HCI helps for some teams but is not required; a strong portfolio matters "
                "more.",
                advice="Work a year or two before a master's, and see which questions you keep caring about.",
                resources=("CHI conference proceedings", "Interaction Design Foundation courses"),
                fit=-1,
                helpful="your advice to wait on a master's until I know which questions I care about",
                promise="Read two CHI papers on accessibility and tell him what I think",
                learned="The academic pace is not for me right now; industry research is.",
                next_steps="Park the master's idea for two years.",
            ),
        ),
    ),
    Field(
        name="Data science",
        tags=("data",),
        topic="data science",
        organizations=(
            "Harbor Analytics",
            "Mercy General Hospital",
            "Tidewater Logistics",
            "Quanta Mutual Insurance",
            "Open Transit Data Collaborative",
            "Basketful (online grocery)",
        ),
        titles=(
            "Data Scientist",
            "Senior Data Scientist",
            "Machine Learning Engineer",
            "Analytics Engineer",
            "Data Analyst",
            "Experimentation Lead",
        ),
        views=(
            View(
                notes="Data scientist in a hospital system's analytics team. Builds readmission-risk models and "
                "spends most of her time cleaning health-record data and explaining results to clinicians.",
                takeaways="Domain knowledge and communication matter more than the choice of model; most of the work "
                "is data cleaning.",
                advice="Do one project end to end with messy real data, and write it up for a non-technical reader.",
                resources=("MIMIC-III open clinical data", "R for Data Science (Wickham)"),
                fit=2,
                helpful="hearing how you explain model results to clinicians",
                promise="Send her my write-up of the river sensor cleaning project",
                learned="I enjoy the explaining part as much as the modelling.",
                next_steps="Write up the river sensor project for a non-technical reader.",
            ),
            View(
                notes="Works on demand forecasting at a logistics company. Mostly SQL and Python; the models are "
                "simple and the value is in reliable pipelines. The title 'data scientist' means very different "
                "jobs at different companies.",
                takeaways="Read job descriptions for the actual tools: many 'data scientist' roles are analytics "
                "engineering.",
                advice="Get very good at SQL (window functions, CTEs) before worrying about deep learning.",
                resources=("Mode SQL tutorial", "dbt Fundamentals course"),
                fit=1,
                helpful="the tip to read job postings for the tools rather than the title",
                promise="Finish the dbt Fundamentals course",
                learned="Analytics engineering is a real, well-paid path I had not considered.",
                next_steps="Practise window functions; finish the dbt course.",
            ),
            View(
                notes="Senior data scientist at an insurer, trained as an economist. Regulated industries care about "
                "explainability: he spends a day a week writing model documentation for regulators.",
                takeaways="Statistics fundamentals (GLMs, experimental design) are valued over trendy ML in regulated "
                "industries.",
                advice="Take a causal inference course: it is the question every stakeholder is really asking.",
                resources=("Causal Inference: The Mixtape (Cunningham)",),
                fit=0,
                helpful="the point that stakeholders are almost always asking a causal question",
                promise="Read the first four chapters of The Mixtape",
                learned="Causal questions are everywhere; I want to learn the methods properly.",
                next_steps="Read The Mixtape; ask about the econometrics elective.",
            ),
            View(
                notes="Analyst at an open transit data collaborative, working with city agencies on bus reliability. "
                "Small team, lots of autonomy, lower pay than tech but work she finds meaningful.",
                takeaways="Civic data work rewards people who build their own tools and can talk to agencies.",
                advice="Contribute to an open data project and present it at a local meetup.",
                resources=("Data Science for Social Good", "Lakeshore civic hacking night"),
                fit=2,
                helpful="the bus-bunching analysis you walked me through",
                promise="Open a pull request on the bus reliability dashboard",
                learned="Public-interest data work is what I want; pay is a trade-off I can accept early on.",
                next_steps="Pick an issue on the transit dashboard repository.",
            ),
            View(
                notes="Machine learning engineer at a startup. Described on-call, monitoring models in production, and "
                "how much software engineering the job needs. Blunt that entry-level ML roles usually want a CS "
                "master's.",
                takeaways="ML engineering is a software job first; analytics roles are a more realistic first step "
                "for me.",
                advice="Learn git, testing and Docker: a small deployed model beats a notebook.",
                resources=("Designing Machine Learning Systems (Chip Huyen)",),
                fit=-1,
                helpful="your honesty about what ML engineering takes day to day",
                promise="Deploy the air-quality model as a small web service",
                learned="I like analysis more than running production systems.",
                next_steps="Focus applications on analyst roles; keep ML as a later option.",
            ),
            View(
                notes="Runs A/B tests for an online grocer. Talked about why most experiments show no effect and how "
                "to design tests with enough power.",
                takeaways="Experimentation is a niche that combines statistics with product decisions.",
                advice="Learn power analysis and read about the common A/B testing pitfalls.",
                resources=("Trustworthy Online Controlled Experiments (Kohavi, Tang, Xu)",),
                fit=1,
                helpful="your explanation of why most experiments show no effect",
                promise="Send him my power-analysis notebook",
                learned="Experimentation uses exactly the statistics I enjoy.",
                next_steps="Do a power analysis for the campus recycling nudge study.",
            ),
        ),
    ),
    Field(
        name="Public health",
        tags=("health",),
        topic="public health",
        organizations=(
            "Lakeshore County Department of Public Health",
            "Healthy Futures Coalition",
            "Riverside Community Clinic",
            "State Office of Epidemiology",
            "Global Vaccine Access Initiative",
            "Lakeshore State School of Public Health",
        ),
        titles=(
            "Epidemiologist",
            "Program Manager",
            "Quality Improvement Analyst",
            "Environmental Health Scientist",
            "Program Officer",
            "Health Communication Specialist",
        ),
        views=(
            View(
                notes="Epidemiologist at the county health department. Tracks foodborne outbreaks and writes the "
                "weekly surveillance report; the job mixes data work, calls with clinicians and writing for the "
                "public.",
                takeaways="An MPH is close to required for epidemiologist titles; my data skills carry over.",
                advice="Apply for the department's summer surveillance internship; they hire from it.",
                resources=("CSTE Applied Epidemiology Fellowship", "CDC Epidemic Intelligence Service overview"),
                fit=2,
                helpful="the walk through last spring's outbreak investigation",
                promise="Apply to the summer surveillance internship",
                learned="Outbreak work is detective work with data, and I loved hearing about it.",
                next_steps="Apply for the internship; look at MPH programmes with an epi track.",
            ),
            View(
                notes="Runs a diabetes-prevention programme at a community coalition. Her days are partnerships, grant "
                "reports and training community health workers; little data analysis.",
                takeaways="Programme roles are about relationships and grant writing; evaluation is where data skills "
                "fit in.",
                advice="Learn programme evaluation basics (logic models) and volunteer to help with a grant report.",
                resources=("CDC Program Evaluation Framework",),
                fit=0,
                helpful="seeing how evaluation connects data to the programme's funding",
                promise="Draft a logic model for the coalition's walking group",
                learned="Programme management is people-heavy; evaluation is the part that fits me.",
                next_steps="Learn logic models; offer to help with one evaluation.",
            ),
            View(
                notes="Quality-improvement analyst at a community clinic, working on vaccination rates and missed "
                "appointments. Small clinics need people who can do a bit of everything.",
                takeaways="Quality improvement is a way into health care without clinical training.",
                advice="Take the IHI Open School basic certificate: it is free and clinics recognise it.",
                resources=("IHI Open School",),
                fit=1,
                helpful="the no-show reduction project and how small changes added up",
                promise="Finish the IHI Open School basic certificate",
                learned="Quality improvement is applied, quick and measurable, which I like.",
                next_steps="Start the IHI certificate this month.",
            ),
            View(
                notes="Works on heat-related illness surveillance at the state office, combining weather data with "
                "emergency visits. Big overlap with environmental engineering.",
                takeaways="Climate and health is a growing area where my environmental background is an asset.",
                advice="Learn GIS (QGIS is free) and look at how the state's heat-health dashboard is built.",
                resources=("QGIS tutorials", "CDC Heat & Health Tracker"),
                fit=2,
                helpful="connecting my environmental science background to health surveillance",
                promise="Map last summer's heat alerts against cooling centres in QGIS",
                learned="Climate and health could combine everything I have studied.",
                next_steps="Do the QGIS heat map; ask about the climate-health seminar.",
            ),
            View(
                notes="Programme officer at a global vaccine access initiative: travel, calls across time zones, lots "
                "of coordination. Honest that entry roles are competitive and often unpaid internships.",
                takeaways="Global health is very competitive at entry level; domestic public health experience first "
                "is the usual path.",
                advice="Learn a second language well and get two years of domestic experience first.",
                resources=("Global Health Council job board",),
                fit=-1,
                helpful="your candour about unpaid internships in global health",
                promise="Send her the article on vaccine cold chains I mentioned",
                learned="Global health is not realistic right away; domestic work first.",
                next_steps="Keep Spanish going; focus on county and state roles.",
            ),
            View(
                notes="Health communication specialist writing campaigns about vaccines and overdose prevention, and "
                "testing messages with focus groups.",
                takeaways="Health communication blends writing and research, close to both UX research and journalism.",
                advice="Build a small portfolio of plain-language health explainers.",
                resources=("CDC Clear Communication Index",),
                fit=1,
                helpful="the focus-group stories about how people read health messages",
                promise="Write a plain-language explainer on heat safety and send it to her",
                learned="Message testing is user research by another name.",
                next_steps="Write two plain-language explainers.",
            ),
        ),
    ),
    Field(
        name="Environmental engineering",
        tags=("environment", "engineering"),
        topic="environmental engineering",
        organizations=(
            "Greater Lakeshore Water Authority",
            "Meridian Environmental Consulting",
            "Clearwater Remediation",
            "State Department of Environmental Quality",
            "SunCommon Energy Co-op",
            "City of Lakeshore Public Works",
        ),
        titles=(
            "Process Engineer",
            "Project Engineer",
            "Permit Writer",
            "Energy Engineer",
            "Green Infrastructure Engineer",
            "Research Engineer",
        ),
        views=(
            View(
                notes="Process engineer at the regional water authority, on treatment plant upgrades and PFAS "
                "compliance. The PE licence path (FE exam, four years, PE exam) shapes the first years.",
                takeaways="Take the FE exam soon after graduating, while the material is fresh.",
                advice="Apply to utilities as well as consultancies: utilities train juniors well and the hours are "
                "better.",
                resources=("NCEES FE exam prep", "AWWA student chapter"),
                fit=1,
                helpful="the plant tour offer and the explanation of the PE licence path",
                promise="Register for the FE exam",
                learned="Utilities offer stability and training; I had only looked at consultancies.",
                next_steps="Register for the FE exam; add utilities to my list.",
            ),
            View(
                notes="Project engineer at an environmental consultancy: site investigations and remediation design, "
                "field days in boots, then report writing. Billable hours are the main pressure.",
                takeaways="Consulting gives broad experience fast, but billable-hour pressure is real.",
                advice="Get the 40-hour HAZWOPER training: it makes you useful on field crews right away.",
                resources=("OSHA HAZWOPER 40-hour course",),
                fit=0,
                helpful="what a week of field days and report writing really looks like",
                promise="Look into the HAZWOPER course dates",
                learned="I like field work but not the idea of tracking every hour.",
                next_steps="Ask the career office whether HAZWOPER is subsidised.",
            ),
            View(
                notes="Permit writer at the state environmental quality department, reviewing stormwater and air "
                "permits. Stable, mission-driven, slower pace.",
                takeaways="Regulators see every consultant's work; a few years there make you valuable anywhere.",
                advice="Read a few real permits online before applying so you can talk about them.",
                resources=("State DEQ permit database", "EPA NPDES Permit Writers' Manual"),
                fit=1,
                helpful="the idea of starting at the regulator to see everyone's work",
                promise="Read two stormwater permits and send her my questions",
                learned="Regulatory work is a strong start I had dismissed as boring.",
                next_steps="Read permits; watch for DEQ entry-level postings in March.",
            ),
            View(
                notes="Engineer at a community solar co-op: site assessments, interconnection paperwork and community "
                "meetings, in a team of five.",
                takeaways="Energy-transition jobs need people who do both technical analysis and community engagement.",
                advice="Learn PVWatts and basic power systems; volunteer at a co-op community meeting.",
                resources=("NREL PVWatts", "Solar Energy International courses"),
                fit=2,
                helpful="the story of the church-roof solar project and the community meetings behind it",
                promise="Volunteer at the co-op's spring community meeting",
                learned="I want technical work with a community side; solar co-ops are exactly that.",
                next_steps="Model the student union roof in PVWatts; volunteer in spring.",
            ),
            View(
                notes="Green infrastructure engineer at the city, designing bioswales and rain gardens and monitoring "
                "how they perform. Uses GIS and hydrologic models daily.",
                takeaways="GIS and SWMM modelling are the concrete skills for stormwater work.",
                advice="Take the hydrology elective and learn EPA SWMM on a campus drainage example.",
                resources=("EPA SWMM", "ASCE Environmental & Water Resources Institute"),
                fit=1,
                helpful="seeing the rain-garden monitoring data",
                promise="Build a SWMM model of the campus parking lot drainage",
                learned="Stormwater mixes design, data and the outdoors.",
                next_steps="Take hydrology next term; try SWMM.",
            ),
            View(
                notes="Research engineer at a university air-quality lab, building low-cost sensor networks. Most "
                "roles like hers need a master's.",
                takeaways="Research roles in air quality usually need a graduate degree; sensor work needs some "
                "electronics.",
                advice="Try an Arduino air sensor project to find out whether you like the hands-on part.",
                resources=("PurpleAir sensor data", "EPA Air Sensor Toolbox"),
                fit=-1,
                helpful="the sensor lab tour and the Arduino idea",
                promise="Build a PM2.5 sensor with the maker club",
                learned="Soldering and calibration are not my favourite things; good to know early.",
                next_steps="Keep air quality as an interest, not a career target.",
            ),
        ),
    ),
    Field(
        name="Journalism",
        tags=("media",),
        topic="journalism",
        organizations=(
            "The Lakeshore Ledger",
            "Lakeshore Public Radio",
            "Civic Data Desk",
            "Metro Weekly",
            "Great Lakes Investigative Collective",
            "Freelance",
        ),
        titles=(
            "City Hall Reporter",
            "Data Reporter",
            "Producer",
            "Investigative Reporter",
            "Science Writer",
            "Audience Editor",
        ),
        views=(
            View(
                notes="City hall reporter at the regional daily: council meetings and budgets, two or three stories a "
                "day. The newsroom has halved in ten years.",
                takeaways="Local news is shrinking, but reporters who can read budgets and data are in demand.",
                advice="Write for the student paper every week and build clips: editors hire on clips.",
                resources=("Investigative Reporters & Editors student membership",),
                fit=0,
                helpful="the walk through how you read a city budget",
                promise="Pitch a story on the campus budget to the student paper",
                learned="Daily news pace is exciting but relentless.",
                next_steps="Write for the student paper this term.",
            ),
            View(
                notes="Data reporter on a civic data desk: scrapes public records, analyses them in Python and builds "
                "charts. The best stories start with a question, not a dataset.",
                takeaways="Data journalism is a real bridge between my data skills and writing.",
                advice="Publish one data story a month on a personal site, and learn public-records requests.",
                resources=("The Data Journalism Handbook", "NICAR conference"),
                fit=2,
                helpful="'start with a question, not a dataset'",
                promise="File a records request for the county's water-quality violations",
                learned="Data journalism combines everything I like; it is my top option now.",
                next_steps="Start a monthly data story; apply for the NICAR student scholarship.",
            ),
            View(
                notes="Producer at the public radio station: books guests, cuts tape and writes scripts for a daily "
                "show. Loves audio storytelling; long hours around breaking news.",
                takeaways="Audio journalism values producing skills: interviewing, editing tape, tight scripts.",
                advice="Make a short audio piece with free tools and send it to the internship coordinator.",
                resources=("Transom.org", "Out on the Wire (Jessica Abel)"),
                fit=0,
                helpful="hearing how a daily show is put together hour by hour",
                promise="Make a three-minute audio piece about the campus farm",
                learned="Audio is fun, but I am more drawn to data and documents.",
                next_steps="Try one audio piece anyway; it is a useful skill.",
            ),
            View(
                notes="Investigative reporter at a nonprofit newsroom. Projects take months and are funded by "
                "foundations; talked about fact-checking rigour and legal review.",
                takeaways="Nonprofit newsrooms are growing and value careful, document-driven reporting.",
                advice="Take the media law class and practise records requests on a topic you care about.",
                resources=("IRE Beat Book", "MuckRock"),
                fit=1,
                helpful="the inside view of a months-long investigation and its legal review",
                promise="Take the media law class next term",
                learned="Slow, careful investigations suit me better than daily news.",
                next_steps="Enrol in media law; use MuckRock for my first request.",
            ),
            View(
                notes="Freelance science writer covering climate and water. Pitches to magazines, irregular income, "
                "but chooses her topics. A technical background is a huge advantage when pitching.",
                takeaways="Science journalism rewards a technical background; freelancing needs a financial cushion.",
                advice="Pitch one short piece to a regional outlet about a local water issue you already understand.",
                resources=("The Open Notebook", "Society of Environmental Journalists"),
                fit=2,
                helpful="seeing your actual pitch emails",
                promise="Send her my pitch on the lake's algae blooms before submitting it",
                learned="My environmental science degree is a head start in science journalism.",
                next_steps="Pitch the algae-bloom story to Metro Weekly.",
            ),
            View(
                notes="Audience editor at a metro weekly: newsletters, search and social. Audience roles are the "
                "easiest way into newsrooms right now.",
                takeaways="Audience and newsletter roles are an entry point, and they use analytics daily.",
                advice="Start a newsletter and track open rates; bring the numbers to the interview.",
                resources=("Nieman Lab", "Google News Initiative training"),
                fit=0,
                helpful="the tip to bring newsletter numbers to interviews",
                promise="Start a small newsletter on campus sustainability news",
                learned="Audience work is analytics in a newsroom: a possible door in.",
                next_steps="Launch the newsletter; track opens for a month.",
            ),
        ),
    ),
)

QUESTIONS = (
    "What does a typical week look like for you?",
    "How did you get into this work?",
    "What do you wish you had known at my stage?",
    "Which skills matter most for someone starting out?",
    "What is the hardest part of the job?",
    "How do people usually move up or across from your role?",
    "What would you look for in a junior hire?",
    "Who else do you think I should talk to?",
)

FIRST_NAMES = (
    "Maria", "Daniel", "Aisha", "Wei", "Priya", "Lucas", "Fatima", "Ethan", "Sofia", "Kwame",
    "Hannah", "Mateo", "Grace", "Omar", "Elena", "Jamal", "Chloe", "Rahul", "Isabel", "Tomás",
    "Nadia", "Samuel", "Yuki", "Gabriel", "Leila", "Marcus", "Ana", "Dmitri", "Zoe", "Kofi",
    "Amara", "Benjamin", "Mei", "Diego", "Sarah", "Hiroshi", "Lina", "Patrick", "Camila", "Tariq",
    "Ingrid", "Jorge", "Rosa", "Andre", "Emily", "Sanjay", "Julia", "Malik", "Ruth", "Felix",
)  # fmt: skip
LAST_NAMES = (
    "Chen", "Okafor", "Garcia", "Patel", "Kowalski", "Nguyen", "Johnson", "Haddad", "Rossi", "Mensah",
    "Silva", "Kim", "Andersson", "Morales", "Ibrahim", "Walsh", "Tanaka", "Dubois", "Osei", "Fischer",
    "Reyes", "Novak", "Sato", "Owusu", "Ahmed", "Brennan", "Costa", "Lindqvist", "Mahlangu", "Park",
    "Schmidt", "Alvarez", "Yilmaz", "Murphy", "Singh", "Olsen", "Castillo", "Bauer", "Adeyemi", "Cohen",
    "Romero", "Larsen", "Baptiste", "Kaur", "Moreau", "Ferreira", "Hughes", "Abara", "Vargas", "Lee",
)  # fmt: skip

DECLINES = (
    "Too busy with a product launch this quarter; suggested trying again in the summer.",
    "On leave until the spring; kindly pointed me to the team's public talks instead.",
    "Does not do informational interviews any more, but sent a blog post with advice for students.",
    "Travelling for fieldwork for two months.",
)
NOTES = (
    "Prefers email; answered within a day both times.",
    "Her team posts internships in January: set a reminder.",
    "Also went to Lakeshore State (class of 2014).",
    "Mentioned a mentoring programme for first-generation graduates.",
    "Very precise about time: keep it to the minutes asked for.",
    "Posts about her projects on LinkedIn; read the latest before we talk.",
    "Said to mention the student chapter when applying.",
    "Knows Professor Alvarez from grad school.",
)
HOW_FOUND_NOTES: dict[HowFound, str] = {
    "professor": "Professor Alvarez suggested I talk to them.",
    "alumni": "Found through the alumni directory.",
    "career_office": "The career office's advisor gave me the name.",
    "friend_family": "My aunt's former colleague.",
    "colloquium": "Gave the department colloquium this term.",
    "linkedin": "Found on LinkedIn while searching for the role.",
    "conference": "Met at the regional student conference.",
    "cold": "Read their work and wrote out of the blue.",
    "other": "",
    "referral": "",
}
ROOT_HOW_FOUND: tuple[HowFound, ...] = (
    "professor",
    "alumni",
    "alumni",
    "career_office",
    "friend_family",
    "colloquium",
    "linkedin",
    "linkedin",
    "conference",
    "cold",
)
FORMATS: tuple[MeetingFormat, ...] = ("video", "video", "phone", "in_person")
ARCHIVE_REASONS = {
    "archived_after_thanks": "Moved to a different industry; no longer relevant to my search.",
    "archived_after_decline": "Declined; not pursuing this one.",
    "archived_no_reply": "No reply after a request and a follow-up.",
}

# Slots 3-7 of each field, in the order of FIELDS. Slot 3 is referred by slot 2 (the chain's leaf).
_TAILS: tuple[tuple[str, ...], ...] = (
    ("scheduled", "thanked_rescheduled", "stale_request", "declined", "interviewed_overdue"),
    ("interviewed_yesterday", "scheduled_after_cancel", "no_response", "requested", "archived_after_thanks"),
    ("identified_overdue", "scheduled", "requested", "no_response", "thanked_open_item"),
    ("requested", "interviewed_overdue", "archived_after_decline", "identified", "stale_request"),
    ("scheduled", "identified", "archived_no_reply", "declined", "thanked_kept_in_touch"),
)
_CHAIN = ("thanked_referrer",) * 3
_HELD = frozenset(
    {
        "thanked_referrer",
        "thanked_rescheduled",
        "thanked_open_item",
        "thanked_kept_in_touch",
        "archived_after_thanks",
        "interviewed_overdue",
        "interviewed_yesterday",
    }
)
# How long ago a contact of each kind was added (for the referred: when the referral came), in
# business or calendar days: each story is told backwards from where it must stand today.
_ADDED: dict[str, tuple[str, int, int]] = {
    "scheduled": ("business", 10, 14),
    "scheduled_after_cancel": ("business", 20, 25),
    "requested": ("business", 3, 8),
    "stale_request": ("business", 15, 18),
    "no_response": ("business", 25, 45),
    "identified_overdue": ("business", 6, 6),
    "declined": ("calendar", 20, 80),
    "interviewed_overdue": ("calendar", 20, 35),
    "interviewed_yesterday": ("calendar", 14, 25),
    "identified": ("calendar", 2, 25),
    "thanked_rescheduled": ("calendar", 45, 90),
    "thanked_open_item": ("calendar", 40, 60),
    "thanked_kept_in_touch": ("calendar", 150, 220),
    "archived_after_thanks": ("calendar", 220, 300),
    "archived_after_decline": ("calendar", 60, 150),
    "archived_no_reply": ("calendar", 90, 150),
}


# -- the plan ------------------------------------------------------------------------------------


@dataclass
class _Person:
    contact_id: UUID
    name: str
    title: str
    organization: str
    career: Field
    view: View
    kind: str
    how_found: HowFound
    email: str | None
    phone: str | None
    linkedin_url: str | None
    referred_by: "_Person | None" = None
    child: "_Person | None" = None
    added_on: date | None = None
    steps: list[tuple[datetime, Any]] = field(default_factory=list)


class _Clock:
    """Dates in the student's calendar, relative to `now`; every past step lands before today."""

    def __init__(self, now: datetime, calendar: StudentCalendar) -> None:
        self.now = now
        self.calendar = calendar
        self.today = calendar.local_date(now)

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def bday(self, days_ago: int) -> date:
        """The business day `days_ago` business days before today (negative: after)."""
        return self.calendar.add_business_days(self.today, -days_ago)

    def on_or_before_business_day(self, day: date) -> date:
        while not self.calendar.is_business_day(day):
            day -= timedelta(days=1)
        return day

    def plus_bdays(self, day: date, days: int) -> date:
        return self.calendar.add_business_days(day, days)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        local = datetime.combine(day, time(hour, minute), tzinfo=self.calendar.zone)
        return local.astimezone(UTC)

    def past(self, at: datetime) -> bool:
        """Strictly before the student's today: safe to have happened whatever the time now."""
        return self.calendar.local_date(at) < self.today


class _Planner:
    def __init__(self, rng: random.Random, clock: _Clock) -> None:
        self.rng = rng
        self.clock = clock
        self.names: set[str] = set()

    # -- people ------------------------------------------------------------------------------

    def _name(self) -> tuple[str, str]:
        for _ in range(1000):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            if f"{first} {last}" not in self.names:
                self.names.add(f"{first} {last}")
                return first, last
        # More contacts than name pairs: tell them apart the way people do.
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        return first, f"{last}-{self.rng.choice(LAST_NAMES)}"

    def person(self, f: Field, view: View, kind: str, *, referred: bool) -> _Person:
        first, last = self._name()
        # The first organizations of a field are the big employers: several people work there.
        organization = self.rng.choice(f.organizations[:2] * 2 + f.organizations)
        how_found: HowFound = "referral" if referred else self.rng.choice(ROOT_HOW_FOUND)
        domain = "".join(c for c in organization.lower() if c.isalnum() or c == " ").split()
        handle = f"{first}.{last}".lower().replace("á", "a").replace("-", "")
        email = None if referred else f"{handle}@{'-'.join(domain[:3])}.example"
        phone = f"+1 555 01{self.rng.randint(0, 99):02d}" if self.rng.random() < 0.3 else None
        linkedin = (
            f"https://www.linkedin.com/in/{handle.replace('.', '-')}-{self.rng.randint(100, 999)}"
            if how_found == "linkedin" or self.rng.random() < 0.4
            else None
        )
        return _Person(
            contact_id=uuid.uuid4(),
            name=f"{first} {last}",
            title=self.rng.choice(f.titles),
            organization=organization,
            career=f,
            view=view,
            kind=kind,
            how_found=how_found,
            email=email,
            phone=phone,
            linkedin_url=linkedin,
        )

    def block(self) -> list[list[_Person]]:
        """One block of 40: for each field, a chain of four and four others (in slot order)."""
        by_field = []
        for index, f in enumerate(FIELDS):
            kinds = (*_CHAIN, *_TAILS[index])
            order = list(range(len(f.views)))
            self.rng.shuffle(order)
            held = 0
            people: list[_Person] = []
            for slot, kind in enumerate(kinds):
                # Everyone met in one field has a different view: comparing them is the point.
                view = f.views[order[held % len(order)]]
                held += kind in _HELD
                person = self.person(f, view, kind, referred=0 < slot <= 3)
                if 0 < slot <= 3:
                    person.referred_by = people[slot - 1]
                    people[slot - 1].child = person
                people.append(person)
            by_field.append(people)
        return by_field

    # -- dates -------------------------------------------------------------------------------

    def leaf_added_on(self, kind: str) -> date:
        """When a contact of `kind` is added (or referred), so that its story ends where it should."""
        unit, low, high = _ADDED[kind]
        ago = self.rng.randint(low, high)
        return self.clock.bday(ago) if unit == "business" else self.clock.days_ago(ago)

    def date_chain(self, people: Sequence[_Person]) -> None:
        """Dates for a field's people: the chain from its leaf back to its root, then the others."""
        leaf = people[3] if len(people) > 3 else None
        if leaf is not None:
            leaf.added_on = self.leaf_added_on(leaf.kind)
            later = leaf.added_on
        else:
            later = self.clock.days_ago(self.rng.randint(20, 45))
        for person in reversed(people[:3]):
            person.added_on = later - timedelta(days=self.rng.randint(28, 80))
            later = person.added_on
        for person in people[4:]:
            person.added_on = self.leaf_added_on(person.kind)

    # -- stories -----------------------------------------------------------------------------

    def work_time(self, day: date, earliest: int = 9, latest: int = 17) -> datetime:
        return self.clock.at(day, self.rng.randint(earliest, latest), self.rng.choice((0, 10, 20, 30, 40, 50)))

    def channel(self, p: _Person) -> Channel:
        if p.how_found == "referral":
            return self.rng.choice(("introduction", "email", "linkedin"))
        if p.how_found == "linkedin":
            return "linkedin"
        return "email" if p.email else "linkedin"

    def message(self, p: _Person, fmt: MeetingFormat, minutes: int) -> str:
        first = p.name.split()[0]
        source = {
            "referral": f"{p.referred_by.name if p.referred_by else 'A colleague'} suggested I reach out to you",
            "professor": "Professor Alvarez suggested I get in touch",
            "alumni": f"I found you through the {SCHOOL} alumni directory",
            "colloquium": "I really enjoyed your colloquium talk",
            "conference": "we met briefly at the regional student conference",
        }.get(p.how_found, f"I came across your work at {p.organization}")
        how = {"video": "a video call", "phone": "a phone call", "in_person": "a coffee near your office"}[fmt]
        return (
            f"Hi {first}, I'm {DISPLAY_NAME}, a senior in environmental science at {SCHOOL}, and {source}. "
            f"I'm exploring careers in {p.career.topic} and would love to hear how you got into your role as "
            f"{p.title}. I'm not asking about jobs, only hoping to learn from your experience. Would you have "
            f"{minutes} minutes for {how} in the next couple of weeks? Thank you, {DISPLAY_NAME.split(maxsplit=1)[0]}"
        )

    def add(self, p: _Person) -> None:
        assert p.added_on is not None  # noqa: S101 - dated before stories are written
        at = self.work_time(p.added_on, 8, 20)
        if p.referred_by is not None:
            return  # the referrer's RecordReferral adds this person
        note = HOW_FOUND_NOTES.get(p.how_found) or None
        tags = list(p.career.tags) + (["alumni"] if p.how_found == "alumni" else [])
        command = AddContact(
            name=p.name,
            how_found=p.how_found,
            title=p.title,
            organization=p.organization,
            career_field=p.career.name,
            email=p.email,
            phone=p.phone,
            linkedin_url=p.linkedin_url,
            tags=tags,
            notes=note,
            contact_id=p.contact_id,
        )
        p.steps.append((at, command))

    def added_at(self, p: _Person) -> datetime:
        """The moment the contact was added: a referral's, or the AddContact step's."""
        if p.referred_by is not None:
            return next(at for at, cmd in p.referred_by.steps if isinstance(cmd, RecordReferral))
        return p.steps[0][0]

    def request(self, p: _Person, day: date, *, after: datetime) -> tuple[datetime, MeetingFormat, int]:
        fmt = self.rng.choice(FORMATS)
        minutes = self.rng.choice((20, 20, 30, 15))
        at = max(self.work_time(day, 8, 21), after + timedelta(minutes=30))
        message = self.message(p, fmt, minutes)
        p.steps.append(
            (at, RequestInterview(channel=self.channel(p), format=fmt, minutes=minutes, message=message, sent_at=at))
        )
        return at, fmt, minutes

    def meeting(
        self,
        p: _Person,
        *,
        requested_on: date,
        held_on: date,
        hold: bool,
        reschedule: bool = False,
        cancel_first: bool = False,
    ) -> tuple[UUID, datetime]:
        """Request, acceptance, scheduling (and maybe a change of plan), and the meeting itself if `hold`.

        Returns the interview's id and its start.
        """
        c = self.clock
        sent, fmt, minutes = self.request(p, requested_on, after=self.added_at(p))
        # A reschedule needs a few days between the acceptance and the first planned date.
        latest_answer = held_on - timedelta(days=6 if reschedule else 2)
        answered_on = max(requested_on, min(c.plus_bdays(requested_on, self.rng.randint(1, 3)), latest_answer))
        answered = max(self.work_time(answered_on, 8, 20), sent + timedelta(hours=2))
        p.steps.append((answered, RecordAnswer(answer="accepted", note="Happy to chat!", answered_at=answered)))
        place = {
            "video": "Video link in the calendar invite",
            "phone": "They will call my cell",
            "in_person": f"Coffee shop near {p.organization}",
        }[fmt]
        decided = answered + timedelta(minutes=20)
        if cancel_first:
            first = uuid.uuid4()
            cancelled_start = self.work_time(c.plus_bdays(answered_on, 2), 9, 16)
            p.steps.append(
                (
                    decided,
                    ScheduleInterview(
                        starts_at=cancelled_start, minutes=minutes, format=fmt, place=place, interview_id=first
                    ),
                )
            )
            cancel_at = cancelled_start - timedelta(hours=20)
            p.steps.append(
                (cancel_at, CancelInterview(interview_id=first, reason="A site visit came up", by="contact"))
            )
            decided = cancel_at + timedelta(hours=2)
        interview_id = uuid.uuid4()
        starts = self.work_time(held_on, 9, 16)
        planned = starts - timedelta(days=3) if reschedule else starts
        p.steps.append(
            (
                decided,
                ScheduleInterview(
                    starts_at=planned, minutes=minutes, format=fmt, place=place, interview_id=interview_id
                ),
            )
        )
        if reschedule:
            by: Party = self.rng.choice(("contact", "student"))
            p.steps.append(
                (decided + timedelta(days=1), RescheduleInterview(interview_id=interview_id, starts_at=starts, by=by))
            )
        if hold:
            self.held(p, interview_id, starts, minutes)
        return interview_id, starts

    def held(self, p: _Person, interview_id: UUID, starts: datetime, minutes: int) -> None:
        v = p.view
        asked = self.rng.sample(QUESTIONS, self.rng.randint(3, 5))
        held = RecordInterviewHeld(
            interview_id=interview_id,
            held_at=starts,
            minutes=minutes + self.rng.choice((0, 0, 5, 10)),
            notes=v.notes,
            questions_asked=asked,
            key_takeaways=v.takeaways,
            advice=v.advice,
            resources=list(v.resources),
            fit_signal=v.fit,
        )
        p.steps.append((starts + timedelta(minutes=minutes + 35), held))

    def thanks(self, p: _Person, interview_id: UUID, at: datetime) -> None:
        first = p.name.split()[0]
        text = f"{p.view.helpful[0].upper()}{p.view.helpful[1:]}"
        helpful = f"{text}. Thank you, {first}!"
        p.steps.append((at, SendThanks(helpful_thing=helpful, channel="email", interview_id=interview_id, sent_at=at)))

    def follow_through(self, p: _Person, starts: datetime, *, overdue_item: bool = False) -> None:
        """After a meeting: a promise (kept, open or overdue), a reflection, maybe a note."""
        c = self.clock
        held_on = c.calendar.local_date(starts)
        evening = c.at(held_on, 19, 30)
        item = uuid.uuid4()
        # An overdue promise was due a few days ago; the others fall due one to three weeks after the talk.
        due = c.days_ago(self.rng.randint(3, 9)) if overdue_item else held_on + timedelta(days=self.rng.randint(7, 21))
        p.steps.append((evening, AddActionItem(what=p.view.promise, due=due, item_id=item)))
        done = c.at(due - timedelta(days=self.rng.randint(0, 4)), 20, 15)
        # Promises are kept, a few days early, unless this one is meant to be overdue or is not due yet.
        if not overdue_item and done > evening and c.past(done):
            p.steps.append((done, CompleteActionItem(item_id=item, completed_at=done)))
        reflect = c.at(held_on + timedelta(days=1), 21, 0)
        if c.past(reflect):
            p.steps.append((reflect, RecordReflection(learned=p.view.learned, next_steps=p.view.next_steps)))
        if self.rng.random() < 0.35:
            noted = c.at(held_on, 20, 5)
            p.steps.append((noted, AddNote(text=self.rng.choice(NOTES))))

    def story(self, p: _Person) -> None:  # noqa: PLR0912, PLR0915 - one branch per kind, read top to bottom
        c, r = self.clock, self.rng
        self.add(p)
        added = p.added_on
        assert added is not None  # noqa: S101 - dated before stories are written
        kind = p.kind
        if kind in ("thanked_referrer", "thanked_rescheduled", "thanked_open_item", "thanked_kept_in_touch") or (
            kind == "archived_after_thanks"
        ):
            if p.child is not None:
                assert p.child.added_on is not None  # noqa: S101
                # The referral is logged with the thank-you, a day or two after the meeting.
                held_on = c.on_or_before_business_day(p.child.added_on - timedelta(days=r.randint(0, 1)))
            else:
                span = {"thanked_kept_in_touch": (20, 40), "archived_after_thanks": (15, 30)}.get(kind, (12, 25))
                held_on = c.on_or_before_business_day(added + timedelta(days=r.randint(*span)))
                held_on = min(held_on, c.bday(3))
            # The request goes out one to three weeks before the meeting, some days after adding them.
            requested_on = max(c.plus_bdays(added, r.randint(1, 3)), held_on - timedelta(days=r.randint(8, 20)))
            held_on = max(held_on, c.plus_bdays(requested_on, 4))
            if kind == "thanked_rescheduled":
                held_on = max(held_on, requested_on + timedelta(days=10))
            interview_id, starts = self.meeting(
                p, requested_on=requested_on, held_on=held_on, hold=True, reschedule=kind == "thanked_rescheduled"
            )
            held_day = c.calendar.local_date(starts)
            if p.child is not None:
                assert p.child.added_on is not None  # noqa: S101
                logged = c.at(p.child.added_on, 18, r.choice((0, 20, 40)))
                logged = max(logged, starts + timedelta(hours=2))
                thanked = logged - timedelta(minutes=15)
                self.thanks(p, interview_id, thanked)
                child = p.child
                p.steps.append(
                    (
                        logged,
                        RecordReferral(
                            name=child.name,
                            title=child.title,
                            organization=child.organization,
                            career_field=child.career.name,
                            received_at=logged,
                            referred_contact_id=child.contact_id,
                        ),
                    )
                )
            else:
                thanked = c.at(c.plus_bdays(held_day, r.choice((0, 1, 1))), 8, 30 + r.randint(0, 25))
                self.thanks(p, interview_id, max(thanked, starts + timedelta(hours=3)))
            self.follow_through(p, starts, overdue_item=kind == "thanked_open_item")
            last = max(at for at, _ in p.steps)
            if kind == "thanked_kept_in_touch":
                touch = max(c.at(c.bday(r.randint(20, 35)), 12, 15), last + timedelta(hours=1))
                p.steps.append((touch, KeepInTouch(shared=self._update(p), sent_at=touch)))
            elif kind in ("thanked_referrer", "archived_after_thanks") and r.random() < 0.6:
                touch = c.at(held_day + timedelta(days=r.randint(50, 100)), 12, 40)
                if c.past(touch) and touch > last:
                    p.steps.append((touch, KeepInTouch(shared=self._update(p), sent_at=touch)))
            if kind == "archived_after_thanks":
                last = max(at for at, _ in p.steps)
                archived = max(c.at(c.days_ago(r.randint(20, 60)), 19, 0), last + timedelta(hours=1))
                p.steps.append((archived, ArchiveContact(reason=ARCHIVE_REASONS[kind])))
        elif kind in ("interviewed_overdue", "interviewed_yesterday"):
            # About five days ago (at least three business days, so overdue even around a long
            # weekend) with no thank-you yet; yesterday's is due today.
            overdue = min(c.on_or_before_business_day(c.days_ago(5)), c.bday(3))
            held_on = overdue if kind == "interviewed_overdue" else c.bday(1)
            requested_on = c.plus_bdays(added, 1)
            self.meeting(p, requested_on=requested_on, held_on=held_on, hold=True)
        elif kind in ("scheduled", "scheduled_after_cancel"):
            requested_on = c.plus_bdays(added, r.randint(1, 2))
            self.meeting(
                p,
                requested_on=requested_on,
                held_on=c.bday(-r.randint(1, 5)),
                hold=False,
                cancel_first=kind == "scheduled_after_cancel",
            )
            if r.random() < 0.5:
                prep = c.at(c.bday(1), 21, 10)
                p.steps.append((prep, AddNote(text=f"Prep: read up on {p.organization}; ask about their first year.")))
        elif kind == "requested":
            self.request(p, c.bday(r.randint(1, 2)), after=self.added_at(p))
        elif kind == "stale_request":
            self.request(p, c.bday(r.randint(11, 13)), after=self.added_at(p))
        elif kind in ("no_response", "archived_no_reply"):
            requested_on = c.plus_bdays(added, r.randint(1, 3))
            sent, _, _ = self.request(p, requested_on, after=self.added_at(p))
            nudged = max(self.work_time(c.plus_bdays(requested_on, 7)), sent + timedelta(days=1))
            p.steps.append((nudged, FollowUpRequest(channel=self.channel(p), sent_at=nudged)))
            if kind == "archived_no_reply":
                archived = c.at(c.plus_bdays(requested_on, 20), 19, 0)
                p.steps.append((archived, ArchiveContact(reason=ARCHIVE_REASONS[kind])))
        elif kind in ("declined", "archived_after_decline"):
            requested_on = c.plus_bdays(added, r.randint(1, 3))
            sent, _, _ = self.request(p, requested_on, after=self.added_at(p))
            answered = max(self.work_time(c.plus_bdays(requested_on, r.randint(1, 4))), sent + timedelta(hours=3))
            decline = RecordAnswer(answer="declined", note=r.choice(DECLINES), answered_at=answered)
            p.steps.append((answered, decline))
            if kind == "archived_after_decline":
                archived = answered + timedelta(days=r.randint(1, 3))
                p.steps.append((archived, ArchiveContact(reason=ARCHIVE_REASONS[kind])))
        elif kind in ("identified", "identified_overdue"):
            if kind == "identified" and r.random() < 0.5:
                p.steps.append((self.added_at(p) + timedelta(minutes=5), AddNote(text=r.choice(NOTES))))
        else:
            raise ValueError(f"unknown kind {kind}")
        for at, command in p.steps:
            if at > c.now:
                raise RuntimeError(f"demo plan: {kind}'s {type(command).__name__} at {at} is after now")

    def _update(self, p: _Person) -> str:
        return f"Update: I followed your advice ({p.view.advice[0].lower()}{p.view.advice[1:-1]}). {p.view.next_steps}"


def plan(rng: random.Random, clock: _Clock, contacts: int) -> list[list[_Person]]:
    """The families to seed, `contacts` people in all: each field's referral chain, and everyone else alone."""
    planner = _Planner(rng, clock)
    families: list[list[_Person]] = []
    remaining = contacts
    while remaining > 0:
        block = planner.block()
        # Slot-major order keeps every field when a block is cut short, and referrers before the
        # people they referred: what is kept of a field is always a prefix of its slots.
        kept = {id(p) for p in [people[slot] for slot in range(8) for people in block][:remaining]}
        remaining -= len(kept)
        for everyone in block:
            people = [p for p in everyone if id(p) in kept]
            for p in people:
                if p.child is not None and id(p.child) not in kept:
                    p.child = None
            planner.date_chain(people)
            for p in people:
                planner.story(p)
            families.append(people[:4])
            families.extend([p] for p in people[4:])
    return [f for f in families if f]


# -- seeding -------------------------------------------------------------------------------------


async def _play(store: EventStore, student_id: UUID, person: _Person) -> int:
    actor_id = f"student:{student_id}"
    steps = sorted(person.steps, key=lambda s: s[0])
    for at, command in steps:
        actor = service.Actor(student_id=student_id, actor_id=actor_id, command_id=uuid.uuid4())
        if isinstance(command, AddContact):
            await service.add(store, actor, command, at)
        else:
            await service.run(store, actor, person.contact_id, command, at)
    return len(steps)


async def email_taken(conn: Conn, email: str) -> bool:
    """Whether an account has this email (emails are unique without regard to case)."""
    return bool(await conn.fetchval("SELECT 1 FROM accounts WHERE lower(email) = lower($1)", email))


def demo_emails(email: str) -> list[str]:
    """Every account the demo creates for this student email."""
    return [
        email,
        related_email(email, "advisor"),
        *(related_email(email, name.split()[0].lower()) for name, _ in CLASSMATES),
    ]


async def _seed_student(
    pool: asyncpg.Pool,
    store: EventStore,
    *,
    email: str,
    password: str,
    display_name: str,
    contacts: int,
    seed: int,
    now: datetime,
    concurrency: int,
    progress: Callable[[int, int], None] | None,
) -> UUID:
    calendar = StudentCalendar(time_zone=TIME_ZONE, country=COUNTRY)
    clock = _Clock(now, calendar)
    families = plan(random.Random(seed), clock, contacts)  # noqa: S311 - demo content, not secrets
    registered = clock.at(clock.days_ago(365), 10, 0)
    signed_up = await sign_up(
        pool,
        store,
        SignUp(email=email, password=password, display_name=display_name, time_zone=TIME_ZONE, country=COUNTRY),
        now=registered,
    )
    student_id = signed_up.principal.account_id
    for command in (
        UpdateProfile(school=SCHOOL),
        SetCareerInterests(interests=[f.name for f in FIELDS]),
        SetGoals(interviews_per_month=3, requests_per_week=2),
    ):
        await _as_student(store, student_id, command, registered + timedelta(hours=1))

    total = sum(len(f) for f in families)
    done = 0
    queue: asyncio.Queue[list[_Person]] = asyncio.Queue()
    for family in families:
        queue.put_nowait(family)

    async def worker() -> None:
        nonlocal done
        while not queue.empty():
            family = queue.get_nowait()
            for person in family:
                await _play(store, student_id, person)
                done += 1
                if progress is not None:
                    progress(done, total)

    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    return student_id


async def _as_student(store: EventStore, student_id: UUID, command: object, at: datetime) -> None:
    metadata = Metadata(actor_id=f"student:{student_id}", command_id=uuid.uuid4())
    await student_service.run(store, student_id, command, at, metadata=metadata, if_match=None)


async def seed_demo(
    pool: asyncpg.Pool,
    store: EventStore,
    *,
    email: str = DEFAULT_EMAIL,
    password: str = DEFAULT_PASSWORD,
    contacts: int = 40,
    seed: int = 7,
    now: datetime,
    concurrency: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> DemoStudent:
    """Sign up a demo student and play their network's history; EmailTakenError if the email has an account.

    Also an advisor (`related_email(email, "advisor")`, same password) whom the student granted
    `notes`, and two classmates with small networks: one granted the advisor `summary` (with the
    advisor's invite code), one granted and then revoked.
    `progress(done, total)` is called after each contact's story. Families (a contact and the people
    they were referred to, in order) are played `concurrency` at a time.
    """
    async with pool.acquire() as conn:
        for address in demo_emails(email):
            if await email_taken(conn, address):
                raise EmailTakenError(address)
    student_id = await _seed_student(
        pool,
        store,
        email=email,
        password=password,
        display_name=DISPLAY_NAME,
        contacts=contacts,
        seed=seed,
        now=now,
        concurrency=concurrency,
        progress=progress,
    )
    classmates = [
        await _seed_student(
            pool,
            store,
            email=related_email(email, name.split()[0].lower()),
            password=password,
            display_name=name,
            contacts=CLASSMATE_CONTACTS,
            seed=seed + i,
            now=now,
            concurrency=concurrency,
            progress=None,
        )
        for i, (name, _) in enumerate(CLASSMATES, start=1)
    ]
    advisor_email = related_email(email, "advisor")
    advisor = await sign_up_advisor(
        pool,
        AdvisorSignUp(email=advisor_email, password=password, display_name=ADVISOR_NAME),
        now=now - timedelta(days=60),
    )
    advisor_id = advisor.principal.account_id
    async with pool.acquire() as conn:
        await create_invite_code(conn, advisor_id, now - timedelta(days=60))
    granted = now - timedelta(days=45)
    await _as_student(store, student_id, GrantAdvisorAccess(advisor_id=advisor_id, scope="notes", via="email"), granted)
    summary, revoked = classmates
    await _as_student(
        store, summary, GrantAdvisorAccess(advisor_id=advisor_id, scope="summary", via="invite_code"), granted
    )
    await _as_student(store, revoked, GrantAdvisorAccess(advisor_id=advisor_id, scope="notes", via="email"), granted)
    await _as_student(store, revoked, RevokeAdvisorAccess(advisor_id=advisor_id), now - timedelta(days=10))

    async with pool.acquire() as conn:
        token = await issue_token(conn, account_id=student_id, name=TOKEN_NAME, now=datetime.now(UTC))
        counted = await conn.fetchrow(
            "SELECT count(*) AS contacts, coalesce(sum(version), 0) AS events FROM contacts WHERE student_id = $1",
            student_id,
        )
        own = await conn.fetchval("SELECT version FROM students WHERE student_id = $1", student_id)
    assert counted is not None  # noqa: S101 - an aggregate always returns a row
    return DemoStudent(
        account_id=student_id,
        email=email,
        password=password,
        display_name=DISPLAY_NAME,
        token=token.secret,
        contacts=int(counted["contacts"]),
        events=int(counted["events"]) + int(own or 0),
        advisor_id=advisor_id,
        advisor_email=advisor_email,
        classmates=tuple(classmates),
    )
