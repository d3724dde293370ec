//! Deterministic synthetic data for demos, tests and benchmarks. Every person, provider and
//! case it makes is fictitious; the same seed always gives the same data, on every machine.

pub mod directory;
pub mod people;
pub mod staff;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The random source used by every generator: a portable, seedable stream cipher, so a seed
/// gives the same output on every platform and in every release of `rand`.
pub type SynthRng = ChaCha8Rng;

/// An independent random stream for one generator, so that adding draws to one generator
/// never shifts the output of another built from the same seed.
pub fn stream(seed: u64, name: &str) -> SynthRng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // FNV-1a over the name picks the stream.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    rng.set_stream(h);
    rng
}

#[cfg(test)]
mod tests {
    use rand::Rng;

    #[test]
    fn a_seed_and_name_give_the_same_stream_and_names_differ() {
        let mut x = super::stream(7, "people");
        let mut y = super::stream(7, "people");
        let mut z = super::stream(7, "services");
        let xs: Vec<u64> = (0..8).map(|_| x.gen()).collect();
        let ys: Vec<u64> = (0..8).map(|_| y.gen()).collect();
        let zs: Vec<u64> = (0..8).map(|_| z.gen()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }
}
