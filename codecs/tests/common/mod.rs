//! Test data: realistic and adversarial inputs, and a hand-rolled stream writer that knows
//! nothing of the encoder, for trees the encoder never builds.
#![allow(dead_code)]

pub mod pzf;

use rand::rngs::StdRng;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution, Geometric, Poisson};

pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// Poisson(mean) counts as uint16 values.
pub fn poisson_u16(rng: &mut impl Rng, n: usize, mean: f64) -> Vec<u16> {
    let d = Poisson::new(mean).unwrap();
    (0..n).map(|_| d.sample(rng).min(65535.0) as u16).collect()
}

/// Bytes of many kinds, chosen by `kind`.
pub fn bytes_of_kind(rng: &mut StdRng, kind: usize, n: usize) -> Vec<u8> {
    match kind % 6 {
        0 => (0..n).map(|_| rng.random()).collect(),
        1 => {
            let g = Geometric::new(0.3).unwrap();
            (0..n).map(|_| g.sample(rng).min(255) as u8).collect()
        }
        2 => vec![rng.random(); n],
        3 => {
            let (a, b): (u8, u8) = (rng.random(), rng.random());
            (0..n)
                .map(|_| if rng.random_bool(0.9) { a } else { b })
                .collect()
        }
        4 => bytemuck_u16_bytes(&poisson_u16(rng, n / 2, 100.0)),
        _ => {
            let k = rng.random_range(1..=256usize);
            (0..n).map(|_| rng.random_range(0..k) as u8).collect()
        }
    }
}

pub fn bytemuck_u16_bytes(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Bytes whose histogram follows the Fibonacci numbers: the worst case for code length.
/// `symbols` distinct values give a tree `symbols - 1` deep.
pub fn fibonacci_bytes(symbols: usize) -> Vec<u8> {
    let (mut a, mut b) = (1usize, 1usize);
    let mut out = Vec::new();
    for s in 0..symbols {
        out.extend(std::iter::repeat_n(s as u8, a));
        (a, b) = (b, a + b);
    }
    out
}

/// A code tree as the stream describes it, for writing streams by hand.
#[derive(Clone, Debug)]
pub enum Tree {
    Leaf(u8),
    Node(Box<Tree>, Box<Tree>),
}

impl Tree {
    /// A random full tree over `leaves` distinct random symbols.
    pub fn random(rng: &mut StdRng, leaves: usize) -> Tree {
        let mut symbols: Vec<u8> = (0..=255).collect();
        for i in (1..symbols.len()).rev() {
            symbols.swap(i, rng.random_range(0..=i));
        }
        Self::random_over(rng, &symbols[..leaves])
    }

    fn random_over(rng: &mut StdRng, symbols: &[u8]) -> Tree {
        if symbols.len() == 1 {
            return Tree::Leaf(symbols[0]);
        }
        // Lopsided splits now and then make deep trees.
        let split = if rng.random_bool(0.5) {
            1
        } else {
            rng.random_range(1..symbols.len())
        };
        Tree::Node(
            Box::new(Self::random_over(rng, &symbols[..split])),
            Box::new(Self::random_over(rng, &symbols[split..])),
        )
    }

    /// The 256-leaf caterpillar: the code of symbol k is k ones then a zero, the last 255 ones.
    pub fn caterpillar() -> Tree {
        let mut t = Tree::Leaf(255);
        for s in (0..255u8).rev() {
            t = Tree::Node(Box::new(Tree::Leaf(s)), Box::new(t));
        }
        t
    }

    pub fn write(&self, bits: &mut Vec<bool>) {
        match self {
            Tree::Leaf(s) => {
                bits.push(true);
                bits.extend((0..8).rev().map(|i| s >> i & 1 == 1));
            }
            Tree::Node(a, b) => {
                bits.push(false);
                a.write(bits);
                b.write(bits);
            }
        }
    }

    /// (symbol, code) for every leaf.
    pub fn codes(&self) -> Vec<(u8, Vec<bool>)> {
        let mut out = Vec::new();
        self.collect(&mut Vec::new(), &mut out);
        out
    }

    fn collect(&self, prefix: &mut Vec<bool>, out: &mut Vec<(u8, Vec<bool>)>) {
        match self {
            Tree::Leaf(s) => out.push((*s, prefix.clone())),
            Tree::Node(a, b) => {
                prefix.push(false);
                a.collect(prefix, out);
                prefix.pop();
                prefix.push(true);
                b.collect(prefix, out);
                prefix.pop();
            }
        }
    }
}

pub fn pack_bits(bits: &[bool]) -> Vec<u8> {
    bits.chunks(8)
        .map(|c| {
            c.iter()
                .enumerate()
                .fold(0u8, |acc, (i, &b)| acc | (u8::from(b) << (7 - i)))
        })
        .collect()
}

/// A stream over `tree` coding `n` random leaves: (stream, symbols, exact bit length).
pub fn stream_for_tree(rng: &mut StdRng, tree: &Tree, n: usize) -> (Vec<u8>, Vec<u8>, usize) {
    let codes = tree.codes();
    let mut bits = Vec::new();
    tree.write(&mut bits);
    let mut symbols = Vec::with_capacity(n);
    for _ in 0..n {
        let (s, code) = &codes[rng.random_range(0..codes.len())];
        symbols.push(*s);
        bits.extend_from_slice(code);
    }
    (pack_bits(&bits), symbols, bits.len())
}
