//! Every fuzz target over its checked-in seed corpus (`fuzz/corpus/NAME/`), then over
//! generated inputs: random bytes, and mutations of the seeds (a byte changed, inserted or
//! cut, two seeds spliced), a bounded number per target so the whole file runs in seconds.

use std::path::PathBuf;

use oxftpd_fuzz::TARGETS;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Generated inputs per target.
const CASES: u32 = 300;

fn corpus_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(name)
}

fn seeds(name: &str) -> Vec<Vec<u8>> {
    let dir = corpus_dir(name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read(p).expect("seed"))
        .collect()
}

#[test]
fn every_target_has_seeds_and_passes_them() {
    for (name, run) in TARGETS {
        let seeds = seeds(name);
        assert!(!seeds.is_empty(), "no seeds for {name}");
        for seed in &seeds {
            run(seed);
        }
    }
}

/// One mutation of a seed.
#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Cut(usize, usize),
    Splice(usize, usize),
}

fn mutate(seeds: &[Vec<u8>], base: usize, edits: &[Mutation]) -> Vec<u8> {
    let mut v = seeds[base % seeds.len()].clone();
    for m in edits {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % (len + 1) };
        match m {
            Mutation::Set(i, b) if !v.is_empty() => {
                let n = v.len();
                v[i % n] = *b;
            }
            Mutation::Set(..) => {}
            Mutation::Insert(i, bytes) => {
                let i = at(*i, v.len());
                v.splice(i..i, bytes.iter().copied());
            }
            Mutation::Cut(i, n) => {
                let i = at(*i, v.len());
                let end = (i + n % 16).min(v.len());
                v.drain(i..end);
            }
            Mutation::Splice(other, i) => {
                let i = at(*i, v.len());
                v.truncate(i);
                v.extend_from_slice(&seeds[other % seeds.len()]);
            }
        }
    }
    v
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop::sample::select(vec![
        0u8, b'\r', b'\n', b' ', b'/', b'.', b'*', b'[', b'|', b',', b'-', b'<', b'>', b'"', b'\\',
        b'%', 0xff, 0xfe, 0xfd, 0xfb, 0xfc, 0xf4, 0xf2, 0x80, b'0', b'9',
    ]);
    prop_oneof![
        (
            any::<usize>(),
            prop_oneof![interesting.clone(), any::<u8>()]
        )
            .prop_map(|(i, b)| Mutation::Set(i, b)),
        (
            any::<usize>(),
            prop::collection::vec(prop_oneof![interesting, any::<u8>()], 1..24)
        )
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, n)| Mutation::Cut(i, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(o, i)| Mutation::Splice(o, i)),
    ]
}

#[test]
fn every_target_survives_generated_inputs() {
    for (name, run) in TARGETS {
        let seeds = seeds(name);
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        });
        let input = prop_oneof![
            prop::collection::vec(any::<u8>(), 0..512),
            (any::<usize>(), prop::collection::vec(mutation(), 1..6))
                .prop_map(move |(base, edits)| mutate(&seeds, base, &edits)),
        ];
        runner
            .run(&input, |data| {
                run(&data);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}
