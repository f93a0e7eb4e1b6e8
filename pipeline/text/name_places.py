"""Places, hospitals, organisations, drugs and medical terms that look like people's names,
for the untitled-name finder (``untitled_names``).

Written for this project from general knowledge of the UK (its cities, towns, London
boroughs, counties and Scottish council areas, the cities abroad its staff often come from, the common names of NHS hospitals and
hospices, high-street shops, charities and firms named after their founders, medicines
sold in the UK under brand names, and eponymous medical terms); not copied from any file
nor chosen from one test sentence: the lists are meant to be broad, and the finder uses
them only as evidence against a name. Everything is lower case without accents, the way
``name_lexicon.key`` folds a word.

- ``PLACES``: one-word places and hospitals (and a few countries and cities abroad). A word here that no
  name list holds ("Basildon", "Solihull") is no evidence of a name (it may still be a
  surname after a given name: "Dominic Ashworth"); one that is also a name ("Preston",
  "Hamilton", "Shirley") is a place only with a place's context ("in Preston", "Preston
  hospital", "Shirley in Solihull").
- ``PLACE_PHRASES``: places and hospitals of two words or more ("Fort William", "Glan
  Clwyd", "Daisy Hill"): a name found inside one is not a person.
- ``NAMED_AFTER_PEOPLE``: charities, hospices, shops and firms named after a person
  ("Anthony Nolan", "Maggie's", "Robert Dyas"): not a person either. Brands that are also
  a common full name ("Paul Smith", "Peter Jones") are left out: a colleague of that name
  is likelier in an answer than the shop.
- ``DRUGS``: medicines by brand or generic name that an ending does not give away
  ("Piriton", "Laxido", "Senna"); ``EPONYM_WORDS``: eponymous tests and scales written
  alone ("Waterlow", "Apgar"); ``EPONYM_AFTER``: lower-case words that make the capitalised
  word before them an eponymous thing ("Foley catheter", "Thomas splint", "Gillick
  competent", "Francis report").
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.strip().splitlines() if line.strip())


PLACES = _words("""
aberdeen aberystwyth abingdon accrington airdrie aldershot alloa alnwick alton altrincham
amersham andover antrim arbroath armagh arnold ashford ashington ashton aylesbury ayr
bacup baildon bakewell ballymena bangor banbury barking barnstaple barnsley barrow
barry basildon basingstoke batley bearsden bedford bedworth belper bexhill bexley
beverley bicester biggleswade billericay billingham bingley birkenhead bishopbriggs
blackburn blackpool blantyre blaydon blyth bodmin bognor bolton bootle boston
bournemouth bracknell bradford braintree brecon brentwood bridgend bridgwater bridlington
brierley brighouse brighton bristol brixham broadstairs bromsgrove broxbourne buckingham
bude burgess burnley burntwood burton bury buxton caerphilly caernarfon camberley
camborne cannock canterbury cardiff carlisle carmarthen carrickfergus castleford
chatham chelmsford cheltenham chepstow chertsey chesham cheshunt chester chesterfield
chichester chippenham chorley christchurch cirencester clacton cleethorpes clitheroe
clydebank coalville colchester coleraine colne congleton conwy corby cowes cramlington
crawley crewe cromer crosby crowborough croydon cumbernauld cwmbran dagenham darlington
dartford dartmouth daventry denton derby devizes dewsbury didcot dorchester
dorking dover droitwich dudley dumbarton dumfries dunfermline dunstable durham ealing
eastbourne eastleigh ebbw edinburgh egham elgin ellesmere ely enniskillen epping epsom
erith esher evesham exeter exmouth falkirk fareham farnborough farnham faversham
felixstowe fleetwood folkestone formby frome gainsborough galashiels gillingham
glasgow glastonbury glenrothes glossop gloucester godalming goole gosport grantham
gravesend grays greenock grimsby guildford hadleigh hailsham halesowen halifax
hamilton harlow harpenden harrogate hartlepool harwich haslemere hastings hatfield
havant haverhill hawick hayes haywards heanor helensburgh helston hemel henley hereford
hertford hexham heywood hinckley hitchin hoddesdon holyhead honiton horley horsham
hove hoylake huddersfield huntingdon hyde ilford ilkeston ilkley inverness ipswich
irvine keighley kendal kenilworth kettering kidderminster kilmarnock kingsbridge
kingswinford kirkby kirkcaldy kirkintilloch knaresborough knowsley lanark lancaster
larne launceston leamington leatherhead ledbury leek leigh leighton leominster
letchworth lewes lichfield lincoln lisburn littlehampton liverpool livingston llandudno
llanelli loughborough louth lowestoft ludlow lurgan luton lydney lymington lytham
macclesfield maidenhead maidstone maldon malvern mansfield margate
marlow matlock melksham melton merthyr middlesbrough middleton midhurst minehead
morecambe morley morpeth motherwell nantwich neath nelson newark newbury newhaven
newmarket newport newquay newry newton newtown northallerton northwich nuneaton oakham
oldbury omagh ormskirk ossett oswestry otley paignton paisley penarth penrith penzance
perth pershore peterhead peterlee pickering plymouth pocklington pontefract pontypool
pontypridd poole portadown porthcawl portishead portsmouth prestatyn preston prestwich
prestwick rainham ramsgate rawtenstall rayleigh redcar redditch redhill redruth reigate
retford rhyl richmond ringwood ripon rochdale rochester romford romsey rossendale
rotherham royston rugby rugeley runcorn rushden ruthin ryde saffron salisbury
saltash sandbach sandhurst sandown scarborough scunthorpe seaford seaham selby
sevenoaks shaftesbury sheerness shepton sherborne shipley shirley shoreham shrewsbury
sidmouth sittingbourne skegness skelmersdale skipton sleaford slough smethwick
solihull southall southend southport spalding spennymoor stafford staines stamford
stevenage stirling stockton stockport stornoway stourbridge stowmarket stranraer
stratford stroud sudbury sunbury sutton swadlincote swanage swanley swansea swindon
tadcaster tamworth taunton tavistock teignmouth telford tenby tewkesbury thatcham thetford
thirsk thornbury thurrock tilbury tiverton todmorden tonbridge torquay totnes trowbridge
truro twickenham uckfield ulverston uttoxeter uxbridge wadebridge wakefield wallasey
wallingford waveney wallsend walsall waltham walton wantage wareham warminster warrington
warwick washington watford wellingborough wellington wells welwyn wembley westbury
wetherby weybridge weymouth whitby whitchurch whitehaven whitley whitstable whittlesey
widnes wigan wimborne winchester windermere windsor winsford wisbech witham witney
woking wokingham woodbridge workington worksop worthing wrexham wymondham yate yeovil
barnet brent bromley camden enfield greenwich hackney hammersmith haringey harrow havering
hillingdon hounslow islington kensington chelsea kingston lambeth lewisham merton newham
redbridge southwark wandsworth westminster fulham tottenham stratford
brixton peckham walthamstow woolwich edmonton wimbledon streatham clapham battersea
holloway hampstead highgate finchley hendon edgware stanmore ruislip northolt acton
chiswick putney balham tooting mitcham morden sidcup bexleyheath orpington beckenham
catford deptford bermondsey whitechapel bethnal poplar canning leytonstone leyton
ilford barkingside chingford dalston hoxton shoreditch islington archway kilburn
willesden harlesden wembley neasden colindale
anglesey gwynedd ceredigion powys pembrokeshire carmarthenshire glamorgan gwent monmouthshire
denbighshire flintshire torfaen rhondda clwyd dyfed morgannwg
fife lothian lanarkshire ayrshire renfrewshire dunbartonshire stirlingshire perthshire
angus moray highland highlands grampian tayside borders galloway argyll bute
caithness sutherland orkney shetland hebrides skye lewis harris
tyrone fermanagh londonderry derry armagh antrim
rutland cumberland westmorland scilly jersey guernsey holland france spain
india pakistan poland romania nigeria ghana kenya zimbabwe philippines jamaica
bangladesh china japan italy portugal germany ireland
lagos abuja accra kumasi nairobi harare bulawayo kampala manila cebu delhi mumbai karachi
lahore islamabad dhaka sylhet chennai kolkata bangalore kerala goa punjab gujarat kathmandu
colombo bucharest warsaw krakow kyiv kiev lviv vilnius riga sofia budapest prague lisbon
porto madrid barcelona rome milan athens istanbul ankara cairo dubai riyadh tehran kabul
baghdad beirut damascus mogadishu hargeisa asmara khartoum trinidad barbados beijing
shanghai tokyo seoul bangkok hanoi saigon
addenbrooke addenbrookes papworth hinchingbrooke wythenshawe broomfield southmead
frenchay glenfield pinderfields airedale calderdale aintree whiston ormskirk arrowe
christie evelina clatterbridge whittington homerton barts lister pilgrim freeman conquest
pembury heartlands raigmore monklands hairmyres crosshouse morriston singleton withybush
bronglais glangwili ninewells altnagelvin craigavon musgrove treliske derriford torbay
frimley wexham harefield brompton marsden moorfields bethlem maudsley springfield
rampton broadmoor ashworth carstairs fairfield tameside salford trafford stepping
cheadle bramhall wilmslow knutsford urmston stretford eccles swinton walkden
""")

PLACE_PHRASES = _lines("""
fort william
kings lynn
king's lynn
merthyr tydfil
glan clwyd
nevill hall
daisy hill
stepping hill
russells hall
arrowe park
frimley park
wexham park
northwick park
castle hill
good hope
george eliot
william harvey
james cook
james paget
john radcliffe
royal albert edward
countess of chester
princess alexandra
princess royal
princess of wales
prince philip
prince charles
queen elizabeth
queen alexandra
queen mary
queen victoria
king george
king edward
whipps cross
chase farm
darent valley
ysbyty gwynedd
wrexham maelor
st helier
st richard's
st james's
st mary's
st thomas'
st george's
st john's
st luke's
st peter's
st ann's
st helens
st albans
st austell
st ives
st andrews
st neots
harold wood
mount vernon
selly oak
kings mill
king's mill
walsall manor
good hope
hope hospital
wythenshawe
sutton coldfield
hemel hempstead
tunbridge wells
milton keynes
newton abbot
newton aycliffe
bishop auckland
bishop's stortford
bury st edmunds
market harborough
market drayton
melton mowbray
stoke mandeville
stoke on trent
burton upon trent
kingston upon hull
kingston upon thames
richmond upon thames
stockton on tees
weston super mare
ashton under lyne
newcastle under lyme
stratford upon avon
henley on thames
leighton buzzard
hebden bridge
royal wootton bassett
chipping norton
saffron walden
potters bar
welwyn garden city
haywards heath
burgess hill
east grinstead
west bromwich
port talbot
ebbw vale
haverfordwest
milford haven
mountain ash
newton stewart
castle douglas
fort augustus
john o'groats
isle of wight
isle of man
lake district
peak district
holly walk
aston villa
preston north end
crystal palace
nottingham forest
queens park rangers
tottenham hotspur
charlton athletic
hamilton academical
""")

NAMED_AFTER_PEOPLE = _lines("""
anthony nolan
maggie's
maggies
tommy's
barnardo's
barnardos
sue ryder
marie curie
macmillan
leonard cheshire
martin house
helen and douglas house
helen & douglas house
claire house
zoe's place
naomi house
jessie may
bernard matthews
mr kipling
uncle ben's
ben and jerry's
ben & jerry's
dr martens
doc martens
dr oetker
mcdonald's
mcdonalds
ronald mcdonald
sainsbury's
sainsburys
morrisons
debenhams
wetherspoons
nando's
frankie and benny's
frankie & benny's
harry ramsden's
holland and barrett
holland & barrett
fortnum and mason
harvey nichols
tommy hilfiger
ralph lauren
calvin klein
hugo boss
ted baker
jack daniels
jack daniel's
jamie oliver's
heinz
cadbury
cadbury's
kellogg's
colman's
ty hafan
rowcroft
keech
willen
ronald mcdonald
ronald mcdonald house
roald dahl
joseph rowntree
florence nightingale
mary seacole
edith cavell
cicely saunders
nye bevan
aneurin bevan
jo's trust
elizabeth finn
prince's trust
princes trust
duke of edinburgh
teenage cancer trust
king's fund
kings fund
nuffield
wellcome
bupa
spire
john lewis
marks and spencer
marks & spencer
sainsbury's
sainsburys
morrisons
debenhams
selfridges
harrods
harvey nichols
house of fraser
dorothy perkins
miss selfridge
ann summers
laura ashley
ted baker
karen millen
cath kidston
emma bridgewater
moss bros
austin reed
ralph lauren
tommy hilfiger
calvin klein
hugo boss
stella mccartney
vivienne westwood
alexander mcqueen
beaverbrooks
clintons
clinton cards
thorntons
hotel chocolat
bettys
greggs
costa
caffe nero
nando's
nandos
domino's
papa john's
mcdonald's
mcdonalds
frankie & benny's
frankie and benny's
jamie's italian
ben & jerry's
ben and jerry's
wetherspoons
wetherspoon
harvester
toby carvery
robert dyas
arnold clark
evans cycles
halfords
timpson
timpsons
wh smith
whsmith
waterstones
foyles
blackwell's
holland & barrett
holland and barrett
fortnum & mason
fortnum and mason
crabtree & evelyn
johnson & johnson
johnson and johnson
procter & gamble
tate & lyle
warburtons
mcvitie's
cadbury
cadburys
rowntree's
kellogg's
colman's
twinings
rolls royce
jaguar
aston martin
specsavers
boots
lloyds
lloyds pharmacy
barclays
morgan stanley
dr martens
jd sports
sports direct
currys
dixons
argos
wilko
asda
tesco
aldi
lidl
waitrose
matalan
primark
""")

DRUGS = _words("""
piriton piriteze laxido senna senokot lactulose calpol nurofen lemsip gaviscon rennie
imodium dioralyte fybogel oramorph zomorph oxynorm sevredol buscopan zirtek clarityn
benadryl sudafed anadin solpadeine voltarol canesten sudocrem germolene savlon bonjela
vaseline diprobase doublebase cetraben epaderm hydromol oilatum zerobase fortisip
complan nutilis ventolin seretide symbicort fostair clenil spiriva atrovent qvar salamol
tegretol epilim keppra lamictal sinemet madopar aricept xarelto eliquis pradaxa lixiana
warfarin clexane fragmin insulatard lantus novorapid humalog levemir tresiba humulin
metformin gliclazide januvia forxiga jardiance ozempic victoza trulicity wegovy mounjaro
lipitor zocor crestor plavix nexium losec zantac prozac zoloft seroxat cipralex efexor
valium ativan xanax circadin ritalin concerta elvanse strattera risperdal zyprexa seroquel
abilify clozaril haldol priadel depakote champix nicorette niquitin paracetamol ibuprofen
aspirin durogesic butrans entonox maxolon stemetil buccastem kwells scopoderm augmentin
amoxil flagyl tamiflu daktarin difflam corsodyl betadine instillagel microlax micralax
dulcolax picolax moviprep citramag kloref adcal calcichew fultium pabrinex zapain solpadol
tylex kapake naproxen diclofenac celecoxib arcoxia colchicine allopurinol prednisolone
dexamethasone hydrocortisone eumovate dermovate betnovate elocon fucidin fucibet daktacort
trimovate timodine flamazine inadine aquacel mepilex allevyn tegaderm opsite duoderm
granuflex kaltostat sorbsan intrasite cavilon medihoney conotrane metanium bepanthen
lucozade epipen jext emerade glucogel hypostop dextrogel
movicol cosmocol laxido macrogol dulcoease docusate bisacodyl sennosides ispaghula
lyrica neurontin tramadol zydol co-codamol co-dydramol codeine morphine diamorphine
fentanyl oxycodone buprenorphine methadone naloxone midazolam lorazepam diazepam
""")

# Voice assistants and chat bots named like people: one alone is a device, not a person,
# without a cue ("Alexa reminds my mum", "Siri can book").
VOICE_ASSISTANTS = _words("alexa siri cortana bixby")

EPONYM_WORDS = _words("""
apgar barthel braden waterlow epley heimlich trendelenburg babinski romberg guedel
yankauer venturi stedy arjo
""")

EPONYM_AFTER = _words("""
catheter catheters splint splints test tests scale scales score scores syndrome sign signs
competent competence competency manoeuvre maneuver procedure criteria classification
collar frame frames boot boots stockings bandage tube tubes repair operation technique
method position protocol chart charts hoist stedy mask masks needle needles drain drains
pump pumps dressing dressings solution reflex reflexes fracture fractures guidelines
report inquiry rule law scholarship rounds harness harnesses tear tears forceps retractor
retractors clamp clamps tourniquet speculum incision triad gland glands duct ducts
""")
