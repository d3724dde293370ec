//! Name lists for the cultures of a city like Leicester, written by us as plausible common
//! names (not taken from any register), with the share of children we give each culture and
//! the ONS 2021 ethnic group each maps to.
//!
//! The shares are our own round figures, chosen so that about half of the children are from
//! minority ethnic groups, as the Leicester family-support report says of the city's children
//! (seed 004 §4.2: "a city whose child population is ~50% non-white"); they are not official
//! statistics. Agency extracts misspell these names with variants listed here too (`VARIANTS`),
//! kept separate from the linkage engine's own tables so that the benchmark does not grade the
//! engine against its own lists.

/// A naming tradition from which a child's names are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Culture {
    /// White British.
    WhiteBritish,
    /// Gujarati Hindu (Indian).
    Gujarati,
    /// Punjabi Sikh (Indian).
    PunjabiSikh,
    /// South Asian Muslim (Indian, Pakistani or Bangladeshi).
    SouthAsianMuslim,
    /// Black African (Nigerian, Ghanaian, Zimbabwean).
    BlackAfrican,
    /// Somali.
    Somali,
    /// Black Caribbean.
    Caribbean,
    /// Polish.
    Polish,
    /// Other Eastern European (Romanian, Lithuanian, Bulgarian, Slovak).
    EasternEuropean,
    /// Chinese.
    Chinese,
    /// Arab and Kurdish.
    Arab,
    /// Mixed: a given name from one tradition, a family name from another.
    Mixed,
}

/// Our share of children by culture (sums to 1).
pub const SHARES: &[(Culture, f64)] = &[
    (Culture::WhiteBritish, 0.46),
    (Culture::Gujarati, 0.17),
    (Culture::PunjabiSikh, 0.04),
    (Culture::SouthAsianMuslim, 0.11),
    (Culture::BlackAfrican, 0.05),
    (Culture::Somali, 0.03),
    (Culture::Caribbean, 0.02),
    (Culture::Polish, 0.04),
    (Culture::EasternEuropean, 0.02),
    (Culture::Chinese, 0.01),
    (Culture::Arab, 0.01),
    (Culture::Mixed, 0.04),
];

/// The names of one culture.
pub struct NameList {
    /// Girls' given names.
    pub female: &'static [&'static str],
    /// Boys' given names.
    pub male: &'static [&'static str],
    /// Family names.
    pub family: &'static [&'static str],
    /// ONS 2021 ethnic groups for this culture (one is picked at random).
    pub ethnicity: &'static [&'static str],
}

const ASIAN_INDIAN: &str = "Asian, Asian British or Asian Welsh: Indian";

/// The names of a culture (`Mixed` uses the lists of two others).
pub fn list(c: Culture) -> &'static NameList {
    match c {
        Culture::WhiteBritish | Culture::Mixed => &WHITE_BRITISH,
        Culture::Gujarati => &GUJARATI,
        Culture::PunjabiSikh => &PUNJABI_SIKH,
        Culture::SouthAsianMuslim => &SOUTH_ASIAN_MUSLIM,
        Culture::BlackAfrican => &BLACK_AFRICAN,
        Culture::Somali => &SOMALI,
        Culture::Caribbean => &CARIBBEAN,
        Culture::Polish => &POLISH,
        Culture::EasternEuropean => &EASTERN_EUROPEAN,
        Culture::Chinese => &CHINESE,
        Culture::Arab => &ARAB,
    }
}

/// ONS 2021 groups for children of mixed heritage.
pub const MIXED_ETHNICITY: &[&str] = &[
    "Mixed or Multiple ethnic groups: White and Black Caribbean",
    "Mixed or Multiple ethnic groups: White and Asian",
    "Mixed or Multiple ethnic groups: White and Black African",
    "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups",
];

static WHITE_BRITISH: NameList = NameList {
    female: &[
        "Olivia",
        "Amelia",
        "Isla",
        "Ava",
        "Mia",
        "Ivy",
        "Lily",
        "Isabella",
        "Rosie",
        "Sophia",
        "Grace",
        "Freya",
        "Evie",
        "Poppy",
        "Emily",
        "Charlotte",
        "Ella",
        "Jessica",
        "Lucy",
        "Chloe",
        "Holly",
        "Katie",
        "Megan",
        "Hannah",
        "Abigail",
        "Eleanor",
        "Elizabeth",
        "Summer",
        "Daisy",
        "Millie",
        "Scarlett",
        "Phoebe",
        "Matilda",
        "Harriet",
        "Imogen",
        "Leah",
    ],
    male: &[
        "Oliver",
        "George",
        "Harry",
        "Noah",
        "Jack",
        "Leo",
        "Arthur",
        "Charlie",
        "Freddie",
        "Thomas",
        "Oscar",
        "James",
        "William",
        "Henry",
        "Alfie",
        "Joshua",
        "Jacob",
        "Archie",
        "Daniel",
        "Samuel",
        "Joseph",
        "Benjamin",
        "Alexander",
        "Max",
        "Ethan",
        "Lewis",
        "Dylan",
        "Callum",
        "Tyler",
        "Kyle",
        "Liam",
        "Ryan",
        "Matthew",
        "Edward",
        "Robert",
        "Michael",
    ],
    family: &[
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
        "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
        "Jackson", "Clarke", "Harris", "Turner", "Hill", "Cooper", "Ward", "Morris", "Moore",
        "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "Hughes", "Parker",
        "Pearson", "Cox", "Bailey", "Marshall", "Mason", "Chapman", "Webb", "Bennett", "Gibson",
        "Lowe", "Fletcher", "Hubbard", "Spencer", "Dawson", "Bradshaw", "Tebbutt", "Orton",
    ],
    ethnicity: &["White: English, Welsh, Scottish, Northern Irish or British"],
};

static GUJARATI: NameList = NameList {
    female: &[
        "Priya", "Riya", "Anika", "Diya", "Krisha", "Mahi", "Aarya", "Isha", "Kavya", "Nisha",
        "Pooja", "Hetal", "Jinal", "Khushi", "Mansi", "Nidhi", "Shreya", "Trisha", "Vidhi",
        "Zarna", "Bhavna", "Dhruvi", "Janvi", "Ishani", "Avani", "Tanvi",
    ],
    male: &[
        "Aarav", "Arjun", "Dev", "Dhruv", "Harsh", "Jay", "Karan", "Krish", "Meet", "Neel",
        "Parth", "Rahul", "Rohan", "Sahil", "Shiv", "Vihaan", "Yash", "Aryan", "Darshan", "Hitesh",
        "Jayesh", "Kishan", "Nikhil", "Pranav", "Rishi", "Viraj",
    ],
    family: &[
        "Patel",
        "Patel",
        "Patel",
        "Mistry",
        "Parmar",
        "Solanki",
        "Chauhan",
        "Lad",
        "Joshi",
        "Shah",
        "Mehta",
        "Desai",
        "Pandya",
        "Vaghela",
        "Makwana",
        "Chavda",
        "Modi",
        "Thakkar",
        "Gohil",
        "Rathod",
        "Bhatt",
        "Dave",
        "Trivedi",
        "Vyas",
        "Kotecha",
        "Lakhani",
        "Popat",
        "Raithatha",
        "Suchak",
        "Morjaria",
        "Pankhania",
        "Chudasama",
    ],
    ethnicity: &[ASIAN_INDIAN],
};

static PUNJABI_SIKH: NameList = NameList {
    female: &[
        "Gurpreet",
        "Harpreet",
        "Jaspreet",
        "Manpreet",
        "Simran",
        "Navneet",
        "Amrit",
        "Jasmeet",
        "Kiran",
        "Rajvir",
        "Sukhleen",
        "Harleen",
        "Parminder",
        "Baljit",
        "Tejinder",
    ],
    male: &[
        "Gurdeep",
        "Harjit",
        "Jaskaran",
        "Manjit",
        "Arjan",
        "Gurveer",
        "Harvinder",
        "Jasvir",
        "Kuldeep",
        "Ranjit",
        "Sukhdev",
        "Tejpal",
        "Amandeep",
        "Balraj",
        "Inderjit",
    ],
    family: &[
        "Singh", "Kaur", "Sandhu", "Gill", "Dhillon", "Sidhu", "Bains", "Grewal", "Johal",
        "Sahota", "Bassi", "Dhaliwal", "Atwal", "Rai", "Virdi", "Kang", "Mann", "Bhogal",
    ],
    ethnicity: &[ASIAN_INDIAN],
};

static SOUTH_ASIAN_MUSLIM: NameList = NameList {
    female: &[
        "Aisha", "Fatima", "Maryam", "Zainab", "Hafsa", "Khadija", "Amina", "Sumaya", "Yasmin",
        "Safiya", "Inaya", "Hira", "Ayesha", "Noor", "Iqra", "Sana", "Zara", "Anaya", "Hania",
    ],
    male: &[
        "Mohammed", "Muhammad", "Ibrahim", "Yusuf", "Ali", "Hamza", "Omar", "Ayaan", "Zayn",
        "Bilal", "Imran", "Hassan", "Hussain", "Adam", "Ismail", "Abdullah", "Zakariya", "Idris",
        "Rayyan", "Usman",
    ],
    family: &[
        "Khan",
        "Ahmed",
        "Hussain",
        "Ali",
        "Begum",
        "Patel",
        "Mohammed",
        "Rahman",
        "Akhtar",
        "Iqbal",
        "Shah",
        "Chowdhury",
        "Miah",
        "Uddin",
        "Islam",
        "Malik",
        "Qureshi",
        "Siddiqui",
        "Mahmood",
        "Bibi",
        "Sheikh",
        "Mirza",
        "Karim",
        "Hoque",
    ],
    ethnicity: &[
        ASIAN_INDIAN,
        "Asian, Asian British or Asian Welsh: Pakistani",
        "Asian, Asian British or Asian Welsh: Bangladeshi",
    ],
};

static BLACK_AFRICAN: NameList = NameList {
    female: &[
        "Chiamaka",
        "Adaeze",
        "Blessing",
        "Precious",
        "Favour",
        "Temitope",
        "Oluwaseun",
        "Abena",
        "Ama",
        "Akosua",
        "Nyasha",
        "Tendai",
        "Ruvimbo",
        "Zanele",
        "Funmilayo",
        "Ifeoma",
    ],
    male: &[
        "Chukwuemeka",
        "Oluwatobi",
        "Adebayo",
        "Kwame",
        "Kofi",
        "Kwabena",
        "Tinashe",
        "Tatenda",
        "Emmanuel",
        "David",
        "Samuel",
        "Daniel",
        "Olusegun",
        "Babatunde",
        "Ikenna",
        "Tobenna",
    ],
    family: &[
        "Okafor",
        "Adeyemi",
        "Okonkwo",
        "Oyelaran",
        "Mensah",
        "Owusu",
        "Boateng",
        "Asante",
        "Moyo",
        "Ncube",
        "Chikwanha",
        "Mutasa",
        "Nwosu",
        "Eze",
        "Adebayo",
        "Olawale",
        "Osei",
    ],
    ethnicity: &["Black, Black British, Black Welsh, Caribbean or African: African"],
};

static SOMALI: NameList = NameList {
    female: &[
        "Hodan", "Sahra", "Ayan", "Fartun", "Hibo", "Ifrah", "Ladan", "Nimco", "Ubah", "Sagal",
        "Deeqa", "Hamdi", "Idil", "Maryan",
    ],
    male: &[
        "Abdirahman",
        "Abdi",
        "Mohamud",
        "Ahmed",
        "Yusuf",
        "Abdullahi",
        "Hassan",
        "Liban",
        "Mukhtar",
        "Sakariye",
        "Guled",
        "Bashir",
        "Osman",
        "Ayanle",
    ],
    family: &[
        "Farah", "Abdi", "Mohamud", "Warsame", "Ali", "Hassan", "Jama", "Nur", "Ahmed", "Omar",
        "Osman", "Hirsi", "Egal", "Dualeh", "Adan", "Elmi",
    ],
    ethnicity: &["Black, Black British, Black Welsh, Caribbean or African: African"],
};

static CARIBBEAN: NameList = NameList {
    female: &[
        "Tia",
        "Shanice",
        "Jada",
        "Nia",
        "Keisha",
        "Aaliyah",
        "Imani",
        "Chantelle",
        "Jasmine",
        "Kayla",
        "Tiana",
        "Shantel",
    ],
    male: &[
        "Tyrone",
        "Jermaine",
        "Marcus",
        "Andre",
        "Jaden",
        "Kai",
        "Malachi",
        "Nathaniel",
        "Reuben",
        "Tyrese",
        "Jerome",
        "Dwayne",
    ],
    family: &[
        "Campbell", "Brown", "Williams", "Clarke", "Thomas", "Francis", "Henry", "Reid", "Grant",
        "Gordon", "Edwards", "Bailey", "Morgan", "Lewis", "Samuels", "Wint",
    ],
    ethnicity: &["Black, Black British, Black Welsh, Caribbean or African: Caribbean"],
};

static POLISH: NameList = NameList {
    female: &[
        "Zuzanna",
        "Julia",
        "Zofia",
        "Maja",
        "Hanna",
        "Lena",
        "Alicja",
        "Maria",
        "Amelia",
        "Oliwia",
        "Wiktoria",
        "Natalia",
        "Katarzyna",
        "Małgorzata",
        "Agnieszka",
    ],
    male: &[
        "Jakub",
        "Jan",
        "Antoni",
        "Szymon",
        "Filip",
        "Franciszek",
        "Aleksander",
        "Mikołaj",
        "Wojciech",
        "Kacper",
        "Łukasz",
        "Mateusz",
        "Piotr",
        "Paweł",
        "Tomasz",
    ],
    family: &[
        "Nowak",
        "Kowalski",
        "Wiśniewski",
        "Wójcik",
        "Kowalczyk",
        "Kamiński",
        "Lewandowski",
        "Zieliński",
        "Szymański",
        "Woźniak",
        "Dąbrowski",
        "Kozłowski",
        "Jankowski",
        "Mazur",
        "Krawczyk",
    ],
    ethnicity: &["White: Other White"],
};

static EASTERN_EUROPEAN: NameList = NameList {
    female: &[
        "Andreea",
        "Ioana",
        "Elena",
        "Bianca",
        "Gabriela",
        "Ieva",
        "Gabija",
        "Kristina",
        "Desislava",
        "Petra",
        "Lucia",
    ],
    male: &[
        "Andrei",
        "Alexandru",
        "Ionut",
        "Mihai",
        "Stefan",
        "Lukas",
        "Mantas",
        "Dovydas",
        "Georgi",
        "Dimitar",
        "Marek",
        "Tomas",
    ],
    family: &[
        "Popescu",
        "Ionescu",
        "Popa",
        "Dumitru",
        "Stan",
        "Kazlauskas",
        "Petrauskas",
        "Jankauskas",
        "Ivanov",
        "Georgiev",
        "Horvath",
        "Novak",
        "Balog",
    ],
    ethnicity: &["White: Other White", "White: Roma"],
};

static CHINESE: NameList = NameList {
    female: &[
        "Mei", "Xiu", "Ling", "Yan", "Jing", "Hui", "Xin", "Yu", "Wen", "Li",
    ],
    male: &[
        "Wei", "Jun", "Hao", "Ming", "Jian", "Lei", "Tao", "Bo", "Chen", "Kai",
    ],
    family: &[
        "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Lin", "Wong",
    ],
    ethnicity: &["Asian, Asian British or Asian Welsh: Chinese"],
};

static ARAB: NameList = NameList {
    female: &[
        "Layla", "Nour", "Rania", "Salma", "Dalia", "Huda", "Lina", "Rawan", "Shilan",
    ],
    male: &[
        "Ahmad", "Omar", "Karim", "Khalid", "Tariq", "Sami", "Rebwar", "Hiwa", "Yousef",
    ],
    family: &[
        "Al-Sayed", "Haddad", "Mansour", "Nasser", "Saleh", "Hamid", "Rashid", "Abdullah",
        "Kareem", "Aziz",
    ],
    ethnicity: &[
        "Other ethnic group: Arab",
        "Other ethnic group: Any other ethnic group",
    ],
};

/// Short and pet forms that agencies record instead of the full given name.
pub const NICKNAMES: &[(&str, &[&str])] = &[
    ("Oliver", &["Ollie", "Olly"]),
    ("Thomas", &["Tom", "Tommy"]),
    ("William", &["Will", "Billy", "Liam"]),
    ("James", &["Jim", "Jamie"]),
    ("Joshua", &["Josh"]),
    ("Jacob", &["Jake"]),
    ("Daniel", &["Dan", "Danny"]),
    ("Samuel", &["Sam", "Sammy"]),
    ("Joseph", &["Joe", "Joey"]),
    ("Benjamin", &["Ben", "Benji"]),
    ("Alexander", &["Alex", "Xander"]),
    ("Matthew", &["Matt"]),
    ("Edward", &["Ed", "Eddie", "Ted"]),
    ("Robert", &["Rob", "Bobby"]),
    ("Michael", &["Mike", "Mikey"]),
    ("Frederick", &["Freddie"]),
    ("Isabella", &["Bella", "Izzy"]),
    ("Elizabeth", &["Beth", "Lizzie", "Libby"]),
    ("Eleanor", &["Ellie", "Nell"]),
    ("Charlotte", &["Lottie", "Charlie"]),
    ("Abigail", &["Abbie", "Abby"]),
    ("Jessica", &["Jess"]),
    ("Harriet", &["Hattie"]),
    ("Matilda", &["Tilly"]),
    ("Katarzyna", &["Kasia"]),
    ("Małgorzata", &["Gosia"]),
    ("Aleksander", &["Olek"]),
    ("Wojciech", &["Wojtek"]),
    ("Oluwaseun", &["Seun"]),
    ("Oluwatobi", &["Tobi"]),
    ("Chukwuemeka", &["Emeka"]),
    ("Chiamaka", &["Amaka"]),
    ("Babatunde", &["Tunde"]),
    ("Olusegun", &["Segun"]),
    ("Abdirahman", &["Abdi"]),
    ("Nathaniel", &["Nathan", "Nate"]),
    ("Jaskaran", &["Jas"]),
    ("Krisha", &["Krish"]),
];

/// Other spellings of the same name in Latin letters (romanisation variants and spellings
/// without diacritics).
pub const VARIANTS: &[(&str, &[&str])] = &[
    ("Mohammed", &["Muhammad", "Mohamed", "Mohammad", "Muhammed"]),
    ("Muhammad", &["Mohammed", "Mohamed", "Muhammed"]),
    ("Mohamud", &["Mahamud", "Mohamoud"]),
    ("Hussain", &["Hussein", "Husain"]),
    ("Hassan", &["Hasan"]),
    ("Yusuf", &["Yousuf", "Yousef"]),
    ("Ibrahim", &["Ebrahim"]),
    ("Ismail", &["Ismael"]),
    ("Usman", &["Osman"]),
    ("Omar", &["Umar"]),
    ("Aisha", &["Ayesha", "Aysha"]),
    ("Fatima", &["Fatimah"]),
    ("Maryam", &["Mariam"]),
    ("Zainab", &["Zaynab"]),
    ("Khadija", &["Khadijah"]),
    ("Yasmin", &["Yasmine"]),
    ("Chowdhury", &["Choudhury", "Chaudhry"]),
    ("Rahman", &["Rehman"]),
    ("Mahmood", &["Mahmud"]),
    ("Sheikh", &["Shaikh"]),
    ("Siddiqui", &["Siddiqi"]),
    ("Qureshi", &["Kureshi"]),
    ("Abdirahman", &["Abdurahman", "Abdirahmaan"]),
    ("Abdullahi", &["Abdilahi"]),
    ("Gurpreet", &["Gurprit"]),
    ("Harpreet", &["Harprit"]),
    ("Kuldeep", &["Kuldip"]),
    ("Gurdeep", &["Gurdip"]),
    ("Kaur", &["Kour"]),
    ("Dhillon", &["Dillon"]),
    ("Wiśniewski", &["Wisniewski"]),
    ("Wójcik", &["Wojcik"]),
    ("Kamiński", &["Kaminski"]),
    ("Zieliński", &["Zielinski"]),
    ("Szymański", &["Szymanski"]),
    ("Woźniak", &["Wozniak"]),
    ("Dąbrowski", &["Dabrowski"]),
    ("Kozłowski", &["Kozlowski"]),
    ("Łukasz", &["Lukasz"]),
    ("Mikołaj", &["Mikolaj"]),
    ("Paweł", &["Pawel"]),
    ("Małgorzata", &["Malgorzata"]),
    ("Wang", &["Wong"]),
    ("Chen", &["Chan"]),
    ("Zhou", &["Chow"]),
    ("Al-Sayed", &["Alsayed", "El-Sayed"]),
    ("Yousef", &["Yusuf", "Youssef"]),
    ("Ahmad", &["Ahmed"]),
];

/// The alternatives of `name` in a table.
pub fn lookup(table: &[(&str, &'static [&'static str])], name: &str) -> &'static [&'static str] {
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap_or(&[])
}
