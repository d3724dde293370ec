//! Fictitious staff names for demo organisations and locality teams, drawn from the mix of
//! names a multi-ethnic English city's workforce carries.

use crate::SynthRng;
use rand::seq::SliceRandom;

const GIVEN: &[&str] = &[
    "Aisha", "Amrit", "Anna", "Bilal", "Bogdan", "Carys", "Chidi", "Daniel", "Deepa", "Eleanor",
    "Emeka", "Fatima", "Gareth", "Gurpreet", "Hana", "Harjit", "Helen", "Imran", "Jasmine",
    "Joanna", "Kamala", "Kieran", "Leon", "Lucy", "Mandeep", "Marta", "Mohammed", "Naomi", "Neil",
    "Nisha", "Olu", "Paul", "Rachel", "Rajesh", "Rebecca", "Sabina", "Samir", "Sarah", "Shabana",
    "Simon", "Sophie", "Tariq", "Tomasz", "Una", "Vikram", "Wendy", "Yasmin", "Zara",
];

const FAMILY: &[&str] = &[
    "Ahmed",
    "Akhtar",
    "Bailey",
    "Begum",
    "Bhatt",
    "Brown",
    "Campbell",
    "Chauhan",
    "Clarke",
    "Davies",
    "Desai",
    "Edwards",
    "Gill",
    "Green",
    "Hall",
    "Hussain",
    "Jackson",
    "Joshi",
    "Kaur",
    "Khan",
    "Kowalczyk",
    "Lewis",
    "Mahmood",
    "Mensah",
    "Mistry",
    "Morgan",
    "Nowak",
    "Obi",
    "Parmar",
    "Patel",
    "Roberts",
    "Robinson",
    "Sandhu",
    "Shah",
    "Sharma",
    "Smith",
    "Solanki",
    "Taylor",
    "Thomas",
    "Turner",
    "Varsani",
    "Walker",
    "Ward",
    "Warsame",
    "Williams",
    "Wood",
    "Wright",
    "Young",
];

/// A fictitious full name.
pub fn full_name(rng: &mut SynthRng) -> String {
    let g = GIVEN.choose(rng).copied().unwrap_or("Alex");
    let f = FAMILY.choose(rng).copied().unwrap_or("Smith");
    format!("{g} {f}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_deterministic_for_a_seed() {
        let a: Vec<String> = {
            let mut r = crate::stream(1, "staff");
            (0..5).map(|_| super::full_name(&mut r)).collect()
        };
        let mut r = crate::stream(1, "staff");
        let b: Vec<String> = (0..5).map(|_| super::full_name(&mut r)).collect();
        assert_eq!(a, b);
        assert!(a.iter().all(|n| n.split(' ').count() == 2));
    }
}
