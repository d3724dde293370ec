//! Name variants: nicknames (Bill for William) and romanisation variants (Mohammed, Muhammad,
//! Mohamed) that a string distance alone would miss or under-rate.
//!
//! Where the facts come from: we compiled these groups ourselves from general knowledge of
//! English hypocorisms (the short and pet forms of given names used in Britain) and of the
//! usual ways Arabic, Urdu, Punjabi, Gujarati, Bengali, Somali and Polish names are written in
//! Latin letters in British records (for example the several spellings of Muhammad; Chaudhry
//! and Chowdhury; Polish feminine surname endings -ska/-cka beside masculine -ski/-cki). No
//! third-party list was copied. A group says "these can be the same person's name"; it is a
//! comparison level whose weight the model learns from data, never an automatic match.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Groups of given names that can stand for one another.
const GIVEN: &[&str] = &[
    "mohammed muhammad mohamed mohammad muhammed mohamad mohd mohamud mahamed mahammad mehmet mohammod muhamad",
    "ahmed ahmad ahmet ahmid",
    "mustafa mostafa mustapha moustafa",
    "yusuf yousuf yousef yusef youssef yosef joseph joe joey jo",
    "ibrahim ebrahim ibraheem abraham abe",
    "ismail ismael ishmael esmail",
    "hussain hussein husain husein hossain",
    "hassan hasan hasaan",
    "abdullah abdulla abdalla abdallah",
    "abdul abdel abdal",
    "fatima fatimah fathima fatma",
    "aisha ayesha aysha aishah ayisha",
    "khadija khadijah khadeeja",
    "maryam mariam miriam mariyam maryum",
    "zainab zaynab zenab",
    "amina aminah ameena",
    "omar umar omer",
    "osman usman othman uthman",
    "yasmin yasmine jasmine jasmin yasmeen",
    "hamza hamzah",
    "ali aly",
    "imran imraan",
    "bilal bilaal",
    "zara zahra zarah sara sarah sally sadie",
    "nur noor nura noora",
    "iqbal ikbal",
    "gurpreet gurprit",
    "harpreet harprit",
    "manpreet manprit",
    "jaspreet jasprit",
    "simran simranjit",
    "gurdeep gurdip",
    "sandeep sandip",
    "kuldeep kuldip",
    "pradeep pradip",
    "dilip dileep",
    "rajesh rajeshwar raj",
    "krishna krishnan kris",
    "priya priyanka",
    "deepak dipak",
    "nikhil nik",
    "arjun arjan",
    "vikram vik",
    "lakshmi laxmi lakshmee",
    "jayesh jay",
    "mahesh maheshwar",
    "bhavesh bhaveshkumar",
    "hiten hitendra",
    "nitin niteen",
    "shreya sreya",
    "anil aneel",
    "sunil suneel",
    "vijay vijai",
    "abdirahman abdurrahman abdulrahman abdirahmaan",
    "abdi abdy",
    "hodan hodon",
    "farah faraah",
    "warsame warsami",
    "ayaan ayan",
    "sahra sahrah",
    "william will bill billy willie willy liam",
    "robert rob robbie bob bobby bert",
    "richard rich richie rick ricky dick",
    "edward ed eddie ted teddy ned",
    "james jim jimmy jamie jamey",
    "john jack johnny jon",
    "jonathan jon jonny",
    "thomas tom tommy",
    "michael mike mikey mick micky mickey",
    "christopher chris kit",
    "christian chris",
    "christine chris chrissie christina tina",
    "matthew matt matty",
    "daniel dan danny",
    "david dave davey",
    "anthony tony antony",
    "andrew andy drew",
    "alexander alex alec sandy zander",
    "alexandra alex alexa sandra sandy lexi",
    "benjamin ben benny benji",
    "samuel sam sammy",
    "samantha sam sammie",
    "nicholas nick nicky nico",
    "nicola nicole nicky nikki",
    "joshua josh",
    "jacob jake",
    "harry harold hal henry hank",
    "charles charlie chuck chas",
    "charlotte charlie lottie lotte",
    "frederick fred freddie freddy",
    "george georgie",
    "oliver ollie olly",
    "olivia liv livvy ollie",
    "elizabeth liz lizzie beth betty bess bessie eliza libby lisa elsie",
    "margaret maggie meg peggy marge madge greta",
    "catherine katherine kathryn kate katie kath kathy cathy kitty kat",
    "rebecca becky becca",
    "jennifer jen jenny",
    "jessica jess jessie",
    "victoria vicky vikki tori",
    "abigail abbie abby gail",
    "amelia millie milly amy",
    "emily em emmy milly",
    "isabella isabel isobel izzy bella issy",
    "eleanor ellie nell nellie elle",
    "florence flo florrie",
    "dorothy dot dottie dolly",
    "susan sue susie suzanne",
    "patricia pat patty trish tricia",
    "patrick pat paddy",
    "deborah debbie debra deb",
    "kimberley kimberly kim",
    "anne ann annie anna hannah",
    "mary molly polly mae",
    "helen helena nell",
    "josephine jo josie",
    "gabriel gabe",
    "gabriella gabby gabrielle",
    "timothy tim timmy",
    "stephen steven steve stevie",
    "peter pete",
    "philip phillip phil pip",
    "raymond ray",
    "ronald ron ronnie",
    "donald don donnie",
    "kenneth ken kenny",
    "gerald gerry jerry",
    "terence terry",
    "lawrence laurence larry laurie",
    "leonard leo len lenny",
    "nathaniel nathan nat nate",
    "zachary zach zak zack",
    "maximilian max maxwell",
    "theodore theo ted teddy",
    "archibald archie",
    "reginald reg reggie",
    "gregory greg",
    "douglas doug",
    "francis frank frankie fran",
    "frances fran frankie fanny",
    "louise louisa lou lulu",
    "louis lewis lou",
    "kayleigh kayley kaylee kailey",
    "leigh lee",
    "shaun sean shawn",
    "stephanie steph",
    "chantelle shantelle",
    "tyrone ty",
    "jermaine germaine",
    "jaden jayden jaiden",
    "aiden aidan ayden",
    "mohamud mohamoud mahamud",
    "oluwaseun seun",
    "oluwatobi tobi",
    "oluwadamilare dami",
    "adebayo bayo",
    "chukwuemeka emeka",
    "chiamaka amaka",
    "olusegun segun",
    "babatunde tunde",
    "jakub jacob kuba",
    "aleksander aleksandra ola olek",
    "katarzyna kasia kate",
    "malgorzata gosia",
    "agnieszka aga",
    "wojciech wojtek",
    "mateusz mateo matthew",
    "piotr peter",
    "pawel paul",
    "tomasz tomek thomas",
    "krzysztof krzys christopher",
    "jan johann john",
    "zuzanna zuza susanna",
    "maciej maciek",
    "lukasz luke",
    "michal michael",
    "andrzej andrew",
    "wei way",
    "xiao xiaoyu",
    "jun june",
];

/// Groups of family names that are romanisation or gender variants of one another.
const FAMILY: &[&str] = &[
    "mohammed muhammad mohamed mohammad muhammed mohamad",
    "chaudhry chaudhary choudhury chowdhury choudhry chaudhri chaudry",
    "hussain hussein husain hossain husein",
    "rahman rehman rahmaan",
    "ahmed ahmad",
    "siddiqui siddiqi sidiqi",
    "qureshi kureshi quraishi",
    "mahmood mahmud mehmood",
    "mirza mirzah",
    "shaikh sheikh shaykh",
    "abdi abdy",
    "mohamud mohamoud mahamud",
    "farah faarah",
    "warsame warsama",
    "nur noor",
    "kaur kour",
    "sandhu sandu",
    "dhillon dillon",
    "grewal grawal",
    "gill gil",
    "bains baines",
    "mistry mistri",
    "solanki solankee",
    "chauhan chouhan",
    "parmar parmer",
    "joshi joshee",
    "lad ladd",
    "kowalski kowalska",
    "nowak nowakowa",
    "wisniewski wisniewska",
    "wojcik wojcikowa",
    "kaminski kaminska",
    "lewandowski lewandowska",
    "zielinski zielinska",
    "szymanski szymanska",
    "wozniak wozniakowa",
    "dabrowski dabrowska",
    "kozlowski kozlowska",
    "jankowski jankowska",
    "mazur mazurowa",
    "krawczyk krawczykowa",
    "wang wong",
    "chen chan chin",
    "zhang cheung chang",
    "li lee",
    "liu lau",
    "huang wong hwang",
    "zhou chow chau",
    "wu ng",
    "okafor okafur",
    "adeyemi adeyemmi",
    "mcdonald macdonald",
    "mckenzie mackenzie",
    "mclean maclean",
    "thompson thomson",
    "stephens stevens",
    "stephenson stevenson",
    "philips phillips",
    "reid reed read",
    "gray grey",
    "clarke clark",
    "smyth smith",
    "browne brown",
];

/// Looks names up in the variant tables.
pub struct Variants {
    given: HashMap<&'static str, Vec<u16>>,
    family: HashMap<&'static str, Vec<u16>>,
}

fn build(groups: &[&'static str]) -> HashMap<&'static str, Vec<u16>> {
    let mut map: HashMap<&'static str, Vec<u16>> = HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        let id = u16::try_from(i).unwrap_or(u16::MAX);
        for name in g.split_whitespace() {
            let e = map.entry(name).or_default();
            if !e.contains(&id) {
                e.push(id);
            }
        }
    }
    map
}

impl Variants {
    /// The tables, built once.
    pub fn get() -> &'static Variants {
        static V: OnceLock<Variants> = OnceLock::new();
        V.get_or_init(|| Variants {
            given: build(GIVEN),
            family: build(FAMILY),
        })
    }

    /// The group ids of a normalised name (given-name table when `given`, else family).
    /// A name can belong to more than one group (Chris: Christopher and Christine).
    pub fn groups(&self, name: &str, given: bool) -> &[u16] {
        let map = if given { &self.given } else { &self.family };
        map.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every given name in the tables with the names that share a group with it, for the
    /// synthetic-data generator (which writes nicknames and variants into agency extracts).
    pub fn given_alternatives(&self, name: &str) -> Vec<&'static str> {
        alternatives(GIVEN, &self.given, name)
    }

    /// The family-name alternatives of `name` (see [`Variants::given_alternatives`]).
    pub fn family_alternatives(&self, name: &str) -> Vec<&'static str> {
        alternatives(FAMILY, &self.family, name)
    }
}

fn alternatives(
    groups: &[&'static str],
    map: &HashMap<&'static str, Vec<u16>>,
    name: &str,
) -> Vec<&'static str> {
    let mut out = Vec::new();
    for id in map.get(name).map(Vec::as_slice).unwrap_or(&[]) {
        if let Some(g) = groups.get(usize::from(*id)) {
            for n in g.split_whitespace() {
                if n != name && !out.contains(&n) {
                    out.push(n);
                }
            }
        }
    }
    out
}

/// Whether two normalised names share a variant group.
pub fn are_variants(a: &[u16], b: &[u16]) -> bool {
    a.iter().any(|x| b.contains(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames_and_transliterations_share_groups() {
        let v = Variants::get();
        assert!(are_variants(
            v.groups("muhammad", true),
            v.groups("mohammed", true)
        ));
        assert!(are_variants(
            v.groups("bill", true),
            v.groups("william", true)
        ));
        assert!(are_variants(
            v.groups("kowalska", false),
            v.groups("kowalski", false)
        ));
        assert!(!are_variants(
            v.groups("bill", true),
            v.groups("robert", true)
        ));
        assert!(v.groups("zzzz", true).is_empty());
        assert!(v.given_alternatives("william").contains(&"bill"));
        assert!(v.family_alternatives("chowdhury").contains(&"chaudhry"));
    }
}
