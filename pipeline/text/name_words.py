"""Word lists for finding names without a title (``untitled_names``), written by us.

``EXTRA_GIVEN`` and ``EXTRA_SURNAMES`` add common romanised names of traditions that Faker's
lists (``name_lexicon``) cover thinly: Vietnamese, Chinese (pinyin and Cantonese), Japanese,
Korean, Arabic and South Asian Muslim, Igbo, Yoruba, Hausa, Akan, Polish, Irish, Indian,
Somali, Turkish, Filipino, Eastern European. They are written from general knowledge of the
most frequent names in each tradition (public frequency tables of statistics offices and
census reports), not copied from any file. Everything is lower case without accents, the way
``name_lexicon.key`` folds a word.

``NOT_NAME_WORDS`` are words of organisations, places, programmes, titles of documents and the
calendar (and contractions written without their apostrophe: "dont", "hes"): a capitalised
run holding one is an organisation or a place, not a person.
``NOT_NAME_PAIRS`` are pairs of words that look like a name and are not one.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


EXTRA_GIVEN = _words("""
an anh bao binh chau chi cuong dung duc dung giang ha hai hanh hieu hoa hoang hong hung
huong huy khanh khoa kim lan linh loan long mai minh my nam nga ngoc nhung phong phuong
quan quang quoc quynh son tam tan thanh thao thi thu thuy tien trang trung tuan tung tu
uyen van viet vinh vy xuan yen
an bo chao chen cheng chun fang fei feng gang guang hao hong hua hui jia jian jiang jie jin
jing jun kai lan lei li lian lin ling mei min ming na ning peng ping qiang qing rui shan
sheng shu tao ting wei wen xia xian xiao xin xiu xue yan yang yi ying yong yu yuan yun zhen
zhi zhong zhou chun-li xiaoming xiaoyan jianguo guoqiang yuxin zihan haoran yiming
wing kwok wai ming-wai siu ka-wai chi-ming
akira aiko akemi asuka atsushi daichi daisuke emi haruka haruto hana hina hiroshi hiroko
hitomi kaito kaori kazuki kazuya keiko ken kenji koji kumiko makoto mariko masato mayumi
megumi miki minoru misaki naoki naomi noriko riko ryo ryota sakura satoshi shota sora
takashi takeshi taro tomoko yui yuki yuko yumi yusuke yuto
ji-hoon min-jun seo-yeon ji-woo soo-jin hyun-woo ji-yeon min-ji eun-ji jae-won sung-min
abdul abdullah abdulrahman abdel ahmad ahmed aisha ali amina amir amira anwar asif ayesha
bilal farah farid faisal fatima fatma habib hamza hana hassan hussain hussein ibrahim
imran iqbal jamal karim khadija khalid laila layla mahmoud maryam mohamed mohammad
mohammed muhammad mustafa nabil nadia noor nour omar rashid reem rania salma samir
sara shabana shahid sultan tariq usman wael yasmin yousef youssef yusuf zainab zara zeynep
zubair nasreen shazia rukhsana parveen naveed waqar saima sadia
adaeze adanna amaka chiamaka chidi chidinma chika chinedu chinonso chioma chukwuemeka
ebuka emeka ifeanyi ifeoma ikenna kelechi ngozi nkechi nnamdi obinna oluchi somto uche
uchenna ugochi chibuzo chisom onyeka
abimbola adebayo adeola adewale ayodele ayomide babajide bisola bolanle damilola folake
funmilayo funke kehinde kunle modupe olamide olufemi olumide oluwaseun oluwatobi seun
segun shola taiwo temitope tolani tunde yetunde wale jide
aminu bashir hauwa musa sani nasiru
kwame kofi kojo kwabena akosua ama abena adwoa yaw esi efua kwaku
aarav aditi aditya ajay akash amit anand anil anita anjali arjun asha deepa deepak devi
divya ganesh gita gopal harish kavita kiran krishna lakshmi manish meena mohan neha nikhil
pooja prakash pradeep priya rahul raj rajesh rakesh ramesh ravi rohit sanjay sandeep
shanti shreya sita sunil sunita suresh vijay vikram vinod arun jaspreet gurpreet harpreet
manpreet simran baljit amrit navdeep
agnieszka aleksandra anna barbara bartosz dorota ewa grzegorz jakub jan joanna kasia
katarzyna krzysztof lukasz maciej magdalena malgorzata marcin marek michal pawel piotr
tomasz wojciech zbigniew zofia zosia
aoife aisling ciara caoimhe ciaran cillian clodagh declan eoin grainne niamh oisin orla
padraig roisin saoirse sean seamus siobhan sinead tadhg fionnuala eimear donal
abdi abdirahman ayan hodan hamdi mahad
mehmet mustafa emre elif ayse burak
maria jose juan carlos luis javier alejandro lucia carmen pilar rosario guadalupe
""")

EXTRA_SURNAMES = _words("""
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly truong dinh lam
mai trinh ta quach
wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng
liang xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye
cheng wei su lu ding ren shen yao jin fu zhong lui chan cheung leung wong chow ng tsang
kwok lau ho lam yip tse fung mak chiu siu
sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi kato yoshida yamada
sasaki yamaguchi matsumoto inoue kimura hayashi shimizu yamazaki mori abe ikeda hashimoto
ishikawa ogawa okada fujita goto hasegawa murakami kondo ishii saito sakamoto endo aoki
fujii nishimura fukuda ota miura takeuchi nakajima nakano harada
kim lee park choi jung jeong kang cho yoon yun jang lim han oh seo shin kwon hwang ahn
song hong
khan ahmed ali hussain hussein rahman hassan ibrahim mahmood mohammed akhtar iqbal
qureshi malik sheikh chaudhry chaudhary butt mirza siddiqui ansari rashid aziz bashir
hamid karim latif nawaz raza shah haider abbasi farooq javed anwar saleem younis
al-hashimi al-rashid al-sayed el-sayed abdullah haddad khalil mansour nasser saleh
awad darwish hamdan
okafor okonkwo okeke eze nwosu obi chukwu nwachukwu onyeka okoro okafor nwankwo ezeh
igwe onuoha okonjo anyanwu nnaji agu ugwu obiora nwabueze
adeyemi adebayo adeleke adewale adeniyi adesina afolabi ajayi akande alabi babatunde
balogun bello fashola ogunleye ogundipe oyelaran olawale oladipo oyebanji adekunle
abubakar garba yakubu usman lawal
mensah asante boateng owusu osei appiah agyeman adjei darko acheampong
patel sharma singh kumar gupta shah mehta joshi desai verma reddy iyer nair pillai menon
rao agarwal bhatt chopra kapoor malhotra banerjee chatterjee mukherjee das bose ghosh
sen dutta kaur gill sandhu sidhu dhillon grewal bains sahota jain trivedi pandey mishra
tiwari yadav chauhan rathore naidu krishnan subramanian
nowak kowalski kowalska wisniewski wisniewska wojcik kowalczyk kaminski kaminska
lewandowski lewandowska zielinski szymanski wozniak dabrowski kozlowski jankowski mazur
kwiatkowski krawczyk piotrowski grabowski nowakowski pawlowski michalski wieczorek
jablonski wrobel majewski olszewski stepien malinowski jaworski adamczyk dudek zajac
lukasiewicz
murphy kelly obrien o'brien ryan osullivan o'sullivan walsh byrne oconnor o'connor
mccarthy doyle gallagher odoherty o'doherty kennedy lynch murray quinn moore mcloughlin
oneill o'neill reilly o'reilly dunne brennan burke collins campbell clarke johnston
hughes farrell fitzgerald brown martin maguire nolan flynn thompson callaghan o'callaghan
donnelly duffy mahony o'mahony boyle healy shea o'shea whelan mcdonagh ni nic mac
mohamed mohamud abdi ali farah hassan warsame jama omar egal
yilmaz kaya demir sahin celik yildiz yildirim ozturk aydin ozdemir arslan dogan
santos reyes cruz bautista ocampo garcia mendoza aquino
garcia rodriguez martinez lopez gonzalez hernandez perez sanchez ramirez torres flores
rivera gomez diaz morales jimenez ruiz alvarez romero navarro moreno munoz castillo
ivanov petrov popescu horvath novak kovacs
""")

PARTICLES = _words("""
de la le du da di del della van von der den ten ter bin binti bint ibn abu al el dos das
y e ni nic mac mc o ua ap ben bat
""")

# Middle words of Vietnamese and Arabic names that join a name on either side.
JOINERS = _words("van thi duc bin binti bint ibn abu al el abdul ni nic o mac ua de da del")

# Particles that stay particles when capitalised ("Siobhán Ní Bhriain", "Seán Ó Briain").
CAPITAL_PARTICLES = _words("ni nic o ua mac")
# Particles that may be written with an accent ("Ní", "Ó", "dà"); no other accented word is
# one ("Mạc Đình Phú": a Vietnamese surname).
ACCENTED_PARTICLES = _words("ni o ui da de do di du dos das del della")

# Beginnings of a surname: "al-farsi", "o'neill", "mcgrath".
SURNAME_PREFIXES = ("al-", "el-", "o'", "mc", "mac", "fitz", "abu-", "bin-", "ben-")

NOT_NAME_WORDS = _words("""
nhs staff council councils trust trusts foundation board boards forum forums partnership
partnerships agenda change changes committee committees group groups network networks
alliance institute agency authority hospice hospices appeal charity commission office
ministry department programme
programmes program plan plans strategy framework act bill policy policies review reviews
scheme schemes fund funds award awards service services team teams unit units centre
center centres hospital hospitals infirmary clinic clinics surgery practice practices
ward wards college colleges university universities school schools academy society
association federation union unions confederation consortium collaborative council's
st saint company ltd limited plc llp inc group's employers employer providers provider system
systems integrated care health social nursing midwifery medical medicine mental
community primary secondary acute ambulance emergency pharmacy dental public digital
improvement england scotland wales ireland northern britain british english scottish
welsh irish uk united kingdom europe european london greater north south east west
midlands yorkshire humber lancashire cumbria cheshire merseyside devon cornwall kent
essex surrey sussex norfolk suffolk hampshire dorset somerset wiltshire gloucestershire
oxfordshire berkshire buckinghamshire hertfordshire bedfordshire cambridgeshire
lincolnshire nottinghamshire derbyshire leicestershire staffordshire shropshire
warwickshire worcestershire herefordshire northamptonshire durham northumberland tyne
wear tees teesside solent thames valley city county borough district region regional
national local royal trent street road avenue square house building tower
manchester birmingham leeds liverpool sheffield bristol newcastle nottingham leicester
coventry bradford cardiff swansea belfast glasgow edinburgh aberdeen dundee plymouth
southampton portsmouth brighton reading oxford cambridge norwich ipswich exeter york
sunderland middlesbrough wolverhampton stoke derby luton bolton wigan salford
stockport oldham rochdale warrington blackpool blackburn burnley lancaster
gateshead doncaster rotherham barnsley wakefield huddersfield halifax harrogate
peterborough milton keynes northampton swindon gloucester cheltenham worcester hereford
telford shrewsbury crewe wythenshawe tameside trafford bromley croydon lambeth
southwark hackney camden islington westminster barnet ealing harrow hounslow enfield
haringey newham redbridge havering hillingdon lewisham greenwich wandsworth
merton
january february march april june july august september october november december
monday tuesday wednesday thursday friday saturday sunday christmas easter eid diwali
ramadan new year covid coronavirus brexit omicron vaisakhi baisakhi holi hanukkah navratri
pongal onam lohri kwanzaa thanksgiving halloween passover yom kippur
teams zoom microsoft google excel word outlook slack whatsapp facebook twitter linkedin
youtube powerpoint sharepoint
director directors chief executive executives officer officers secretary minister
ministers chair chairs co-chair co-chairs deputy president governor governors manager
managers lead leads head heads consultant consultants nurse nurses doctor doctors matron
registrar porter porters midwife midwives therapist therapists pharmacist pharmacists
agenda annual general meeting meetings minutes report reports survey surveys summary
conference conferences workshop webinar briefing newsletter bulletin
period term workforce people pay terms conditions handbook guidance
standards standard charter covenant pledge principles values
freedom speak up guardian guardians wellbeing health-and-wellbeing equality diversity
inclusion race disability lgbt lgbtq pride black history month
dont cant wont isnt arent wasnt werent didnt doesnt hasnt havent hadnt couldnt shouldnt
wouldnt mustnt hes shes theyre youre ive weve theyve thats whats
""")

# Last words of a street, a building or an event: "Clifton Lane", "Fletcher House",
# "Windrush Day".
PLACE_SUFFIXES = _words("""
lane close drive way view gardens grove crescent terrace place court row mews walk rise
green park house lodge centre center hospital road street avenue square wing unit ward
yard day week line
""")

# Pairs of words that are not a person: places whose first word is also a given name,
# hospitals named after people, and words borrowed from Chinese written like names.
NOT_NAME_PAIRS = frozenset({
    ("milton", "keynes"), ("st", "albans"), ("st", "helens"), ("kings", "lynn"),
    ("tunbridge", "wells"), ("stoke", "mandeville"), ("great", "ormond"),
    ("guy's", "st"), ("sutton", "coldfield"), ("hemel", "hempstead"), ("john", "radcliffe"),
    ("james", "cook"), ("james", "paget"), ("tai", "chi"), ("feng", "shui"), ("kung", "fu"),
    ("dim", "sum"), ("bok", "choy"), ("yin", "yang"), ("hong", "kong"), ("mah", "jong"),
    ("ping", "pong"), ("chow", "mein"), ("pak", "choi"),
    ("hywel", "dda"), ("marie", "curie"), ("newton", "abbot"),
})

# Clinical, rostering and booking systems and apps of the NHS, some also given names
# ("Lorenzo is down again"): one such word alone is not a name without a cue, and "is
# brilliant" after it is no cue ("Datix was brilliant for reporting").
SYSTEMS = _words("""
lorenzo rio maxims cerner meditech trakcare careflow medway nervecentre systmone emis datix
accurx badgernet rotamaster healthroster allocate patchwork evolve epic sunrise millennium
winpath telepath pacs symphony ascribe medchart patientrack vitalpac euroking mosaic
liquidlogic carefirst adastra docman ardens netcall mjog drdoctor patchs econsult askmygp
klinik livi healthily whzan careco swiftqueue florence bookwise rotacloud deputy
e-roster eroster heroes vocera cardiobase icnet ulysses safecare ilog esr
""")
# A lower-case word after a capitalised word that makes it a place's or a thing's name
# ("Heather ward", "Victoria line"), unless a person's role follows ("Kate ward manager").
NAMED_THING_AFTER = (PLACE_SUFFIXES - {"day", "week", "green", "park", "way", "view", "rise",
                                       "close", "walk", "row", "place"}) | _words(
    "suite station building clinic programme award trophy medal shield prize lecture")
ROLE_AFTER_THING = _words("manager clerk sister matron")

# Words that put a name next: "my colleague X", "spoke to x y", "thanks to X".
CUES = (
    "colleague", "colleagues", "manager", "supervisor", "mentor", "named", "called",
    "spoke to", "speak to", "speaking to", "talked to", "talk to", "thanks to", "thank you to",
    "thank", "thanks", "shout out to", "praise for", "asked", "told", "emailed", "email",
    "contacted", "rang", "phoned", "met", "meeting with", "dear", "hi", "hello", "regards",
    "ask", "tell", "cc", "like", "thanked", "according to", "thanks go to", "thanks goes to",
    "looked after by", "cared for by", "seen by", "treated by", "told by", "helped by",
    "supported by", "assessed by", "examined by", "reviewed by", "visited by",
    "mention for", "mention to", "shoutout to", "shout-out to", "kudos to", "well done to",
    "grateful to", "big up", "thank you", "thankyou", "especially", "particularly",
    "in particular", "care from", "ask for", "asked for", "cheers",
)
# Weaker cues, enough for two words side by side that no list holds: a word that puts a
# person next ("changed by x y", "with x y", "our ward clerk x y") ...
WEAK_CUES = (
    "by", "with", "from", "to", "and", "for", "clerk", "preceptor", "matron", "nurse",
    "sister", "consultant", "doctor", "porter", "cleaner", "assistant", "lead", "coordinator",
    "receptionist", "secretary", "rep", "hca", "physio", "registrar", "midwife", "buddy",
    "housekeeper", "chair", "director", "worker", "officer", "therapist", "pharmacist",
    "technician", "administrator", "admin", "boss", "head", "deputy", "friend",
)
# ... or a verb that a person does after them ("x y deserves", "X Y WAS"), a possessive.
POST_CUES = (
    "said", "says", "told", "tells", "was", "is", "has", "had", "did", "does", "deserves",
    "deserve", "knows", "trained", "helped", "supported", "explained", "listened", "ignored",
    "stayed", "covered", "sorted", "fixed", "ran", "runs", "led", "leads", "taught",
    "organised", "organized", "made", "went", "came", "always", "never", "should", "would",
    "could", "will", "who", "and her", "and his", "himself", "herself", "replied", "answered",
    "agreed", "refused", "asked", "spoke", "works", "worked", "left", "joined", "emailed",
    "phoned", "called", "visited", "chased", "pushed", "raised", "noticed", "cares", "cared",
    "goes", "gave", "gives", "kept", "keeps", "deals", "dealt", "saved",
)
# What only a person has, after a possessive: a cue for one word ("Nakato's manager").
PERSON_OWNS = (
    "manager", "boss", "team", "rota", "rotas", "husband", "wife", "partner", "mum", "dad",
    "son", "daughter", "colleague", "colleagues", "mentoring", "teaching", "leadership",
    "kindness", "patience", "handover", "shift", "shifts", "induction", "attitude",
    "approach", "humour", "smile", "dedication", "caseload",
)
# Eponymous things that a person may own too: no eponym after a possessive ("McCain's
# position", "Priya's report"; but "Ryle's tube").
PERSON_MAY_OWN = _words("""
position report method technique rule law operation procedure protocol inquiry scholarship
rounds chart charts guidelines criteria classification
""")
# What a person's work leaves, after a possessive: a cue for one word too ("Asantewaa's
# notes", "KARAKAYA'S TEAM"), but not after an eponymous disease ("Parkinson's clinic").
PERSON_WORK = (
    "clinic", "clinics", "notes", "list", "lists", "ward round", "patients", "letter",
    "letters", "referral", "clinic letter", "operating list", "surgery list",
)
# ... of which a firm has these too: a cue only for a known name ("Ryanair's list").
WORK_PAPERS = frozenset(
    ("list", "lists", "letter", "letters", "referral", "clinic letter", "operating list",
     "surgery list"))
# Verbs that only a person does, a cue after a single word ("tendai said").
PERSON_VERBS = (
    "said", "says", "told", "tells", "asked", "replied", "answered", "explained", "agreed",
    "promised", "thanked", "apologised", "apologized", "listened", "deserves", "spoke", "emailed", "phoned", "insisted", "admitted", "complained",
    "helped", "and her", "and his", "reassured", "comforted", "smiled", "remembered",
    "visited", "chased", "sorted", "arranged", "hugged", "looked after", "checked on",
    "went above", "kept me", "made me", "makes me", "kept us", "made us", "cheered me",
)

# Teams and departments: "in", "on", "from" or "at" and one of these after a single word is a
# cue for it ("Osei in pathology", "Nuttall on the bank office", "thuy and khanh in theatres").
TEAMS = _words("""
team teams desk office unit ward wards lab labs laboratory clinic department dept lounge
nights days shift shifts estates pathology pharmacy finance payroll catering phlebotomy
radiology x-ray xray theatres theatre maternity outpatients reception physio physiotherapy
haematology biochemistry microbiology cardiology oncology endoscopy audiology dermatology
rheumatology urology neurology ophthalmology paediatrics anaesthetics icu hdu resus stores
portering housekeeping transport it hr admin records switchboard bookings booking discharge
chaplaincy dietetics therapies health surgery a&e
therapy bank agency triage recovery admissions imaging ultrasound scanning dialysis renal
stroke orthopaedics ortho fracture plaster gynae gynaecology antenatal postnatal paeds
palliative chemo respiratory podiatry psychology psychiatry safeguarding security kitchen
kitchens laundry domestics facilities maintenance helpdesk rehab bay majors minors itu ccu
amu sdec nicu scbu neonatal labour research education governance procurement gym
hydrotherapy
""")
# Nouns of a place after a word that is both a place and a name: "Preston hospital",
# "Beverley's community hospital", "Crosby station".
PLACE_NOUNS = _words("""
hospital hospitals general infirmary royal station road council town city centre center
area branch site campus library airport university college community district county
borough a&e walk-in minor patients residents fc
""")
# What is said of a person after "is" or "was" (and maybe "so", "the most"): a cue for one
# known name or unknown word ("Ogilvie was brilliant", "Haroon is patient", "X is why").
PERSON_QUALITIES = _words("""
brilliant lovely amazing wonderful fantastic helpful supportive excellent fab fabulous
brill incredible knowledgeable unhelpful reassuring understanding dedicated why reason
best
""")
# ... of which these are said only of a person: a cue even for a word like a slip.
PERSON_ONLY_QUALITIES = _words("""
kind patient caring rude friendly gentle attentive compassionate approachable polite
dismissive funny considerate thoughtful sweet hardworking hard-working unprofessional
abrupt condescending arrogant kindest nicest loveliest sweetest gentlest funniest calm
""")
INTENSIFIERS = ("so", "very", "really", "always", "just", "absolutely", "truly", "extremely",
                "incredibly", "genuinely", "such", "a", "an", "the", "most", "only", "beyond")
# What is said only of a person after "is" or "was" and up to four words ("Tsang is a
# fantastic charge nurse", "X WAS AN ABSOLUTE STAR").
PERSON_NOUNS = _words("""
nurse nurses manager boss star legend gem credit asset angel person lady woman man guy
doctor porter midwife colleague sister leader mentor matron physio hca friend superstar
hero diamond assistant receptionist physiotherapist therapist pharmacist consultant
registrar surgeon cleaner clerk secretary technician paramedic carer practitioner
radiographer sonographer phlebotomist dietitian dietician optometrist orthoptist chaplain
housekeeper volunteer administrator coordinator educator counsellor psychologist
anaesthetist podiatrist audiologist dentist hygienist gp
""")
# Words that open a sentence before a lower-case name ("honestly gbemisola is ...").
OPENERS = ("honestly", "personally", "seriously", "also", "and", "but", "so", "tbh", "plus")
# Endings of drug names (the common stems of international non-proprietary names and the
# development sets' brands): an unknown word with one is a drug, not a name ("Movicol",
# "Oramorph", "Gabapentin", "Clexane", "Tazocin"); not "ol" alone ("Sinimol", "Anmol"), nor
# "ine" alone ("Heseltine", "Jardine"): "-amine", "-azine", "-oline", "-etine" ... only.
DRUG_ENDINGS = (
    "amine", "azine", "idine", "apine", "oline", "aline", "yline", "etine", "eine", "phine",
    "pine", "mine", "rine", "cline", "zine", "otine", "icol", "adol", "tamol", "olol", "pam",
    "zole", "mab", "cillin", "mycin", "cin",
    "pril", "sartan", "statin", "parin", "arin", "xaban", "morph", "codone", "profen",
    "oxacin", "tide", "zide", "xane", "entin", "apine", "tron", "caine", "done",
)
# Words before a capitalised word that make it the name of a thing: "Storm Arwen",
# "Operation Cavell".
THING_BEFORE = _words("storm hurricane operation project")
# Eponymous diseases: such a word before a possessive ("Parkinson's", "Crohn's flare ups") is
# not a person, nor any capitalised word before a possessive and a disease word ("Addison's
# disease", "Bell's palsy"); such phrases ("Sue Ryder", "Marks and Spencer") neither.
EPONYM_DISEASES = _words("""
parkinson alzheimer addison crohn down bell guillain barre raynaud tourette asperger hodgkin
huntington sjogren meniere kawasaki cushing graves hashimoto paget dupuytren perthes kaposi
marfan munchausen lewy creutzfeldt behcet hirschsprung duchenne klinefelter peyronie charcot
osgood baker colles hartmann legionnaire
""")
DISEASE_WORDS = _words("""
disease diseases syndrome palsy lymphoma cyst phenomenon solution disorder sign contracture
oesophagus ulcer dementia
""")
NAMED_ORGANISATIONS = (
    "sue ryder", "marks and spencer", "marks & spencer", "marie curie", "macmillan",
    "alder hey", "florence nightingale", "mary seacole", "nye bevan", "aneurin bevan",
)
