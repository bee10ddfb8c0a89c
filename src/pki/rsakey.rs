//! RSA key generation without making the operator wait: the primes are searched on every
//! core at once, with OpenSSL's prime generator (`BN_generate_prime_ex`:
//! random candidates of the size asked with their two top bits set, sieved and tested with
//! Miller-Rabin rounds for a 2^-128 error bound), then put together as every RSA key is
//! (n = pq, d = e⁻¹ mod lcm(p−1, q−1), the CRT numbers) and checked by a pairwise
//! consistency test before use. Most of an RSA key's time is its prime search, and the
//! search for q does not depend on p, so two cores find the pair in about half the time
//! one core takes.

use openssl::bn::{BigNum, BigNumContext, BigNumRef};
use openssl::error::ErrorStack;
use openssl::pkey::Private;
use openssl::rsa::{Padding, Rsa};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

/// The public exponent of every RSA key the product makes.
const EXPONENT: u32 = 65537;
/// p and q must differ in their top 100 bits (FIPS 186-4 B.3.1 asks |p − q| > 2^(nlen/2−100)).
const MIN_DISTANCE_BITS: i32 = 100;

/// A prime of `bits` bits whose p − 1 is prime to the exponent.
fn prime(bits: i32, e: &BigNumRef) -> Result<BigNum, ErrorStack> {
    let mut ctx = BigNumContext::new()?;
    loop {
        let mut p = BigNum::new()?;
        p.generate_prime(bits, false, None, None)?;
        let mut p1 = BigNum::new()?;
        p1.checked_sub(&p, BigNum::from_u32(1)?.as_ref())?;
        let mut g = BigNum::new()?;
        g.gcd(&p1, e, &mut ctx)?;
        if g == BigNum::from_u32(1)? {
            return Ok(p);
        }
    }
}

/// Two primes of `bits` / 2 bits each, from searchers on every core: each searcher starts
/// a new search as soon as it found a prime, so the two come as fast as the cores find
/// them (two searchers take about one search's time for the pair, not one search after the
/// other). A search still running when the pair is complete ends on its own; what it
/// finds is dropped.
fn primes(bits: i32) -> Result<(BigNum, BigNum), ErrorStack> {
    let half = bits / 2;
    let searchers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    let (found, take) = mpsc::channel();
    let done = Arc::new(AtomicBool::new(false));
    for _ in 0..searchers {
        let (found, done) = (found.clone(), Arc::clone(&done));
        let searcher = std::thread::Builder::new().name("rsa-prime".into());
        let spawned = searcher.spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let prime = BigNum::from_u32(EXPONENT).and_then(|e| prime(half, &e));
                let failed = prime.is_err();
                if found.send(prime).is_err() || failed {
                    break;
                }
            }
        });
        if spawned.is_err() {
            break;
        }
    }
    drop(found);
    let next = || take.recv().unwrap_or_else(|_| Err(ErrorStack::get()));
    let pair = next().and_then(|p| Ok((p, next()?)));
    done.store(true, Ordering::Relaxed);
    pair
}

/// Whether p and q are far enough apart.
fn apart(p: &BigNumRef, q: &BigNumRef, bits: i32) -> Result<bool, ErrorStack> {
    let mut diff = BigNum::new()?;
    diff.checked_sub(p, q)?;
    Ok(diff.num_bits() > bits / 2 - MIN_DISTANCE_BITS)
}

/// The key of primes `p` and `q` (p > q), checked by OpenSSL.
fn assemble(p: BigNum, q: BigNum, e: BigNum) -> Result<Rsa<Private>, ErrorStack> {
    let mut ctx = BigNumContext::new()?;
    let one = BigNum::from_u32(1)?;
    let (mut p1, mut q1) = (BigNum::new()?, BigNum::new()?);
    p1.checked_sub(&p, &one)?;
    q1.checked_sub(&q, &one)?;
    let (mut n, mut phi, mut g, mut lcm) = (
        BigNum::new()?,
        BigNum::new()?,
        BigNum::new()?,
        BigNum::new()?,
    );
    n.checked_mul(&p, &q, &mut ctx)?;
    phi.checked_mul(&p1, &q1, &mut ctx)?;
    g.gcd(&p1, &q1, &mut ctx)?;
    lcm.checked_div(&phi, &g, &mut ctx)?;
    let (mut d, mut dmp1, mut dmq1, mut iqmp) = (
        BigNum::new()?,
        BigNum::new()?,
        BigNum::new()?,
        BigNum::new()?,
    );
    d.mod_inverse(&e, &lcm, &mut ctx)?;
    dmp1.nnmod(&d, &p1, &mut ctx)?;
    dmq1.nnmod(&d, &q1, &mut ctx)?;
    iqmp.mod_inverse(&q, &p, &mut ctx)?;
    let key = Rsa::from_private_components(n, e, d, p, q, dmp1, dmq1, iqmp)?;
    if consistent(&key)? {
        Ok(key)
    } else {
        Err(ErrorStack::get())
    }
}

/// The pairwise consistency test of a new key (as FIPS 140 asks of every key generated): a
/// block signed with the private key reads back with the public one. The primes were tested
/// when found; `RSA_check_key` would test them again, for a third of the key's time.
fn consistent(key: &Rsa<Private>) -> Result<bool, ErrorStack> {
    let block = [0x5a_u8; 32];
    let size = usize::try_from(key.size()).unwrap_or(0);
    let (mut signed, mut read) = (vec![0u8; size], vec![0u8; size]);
    let len = key.private_encrypt(&block, &mut signed, Padding::PKCS1)?;
    let back = key.public_decrypt(&signed[..len], &mut read, Padding::PKCS1)?;
    Ok(read[..back] == block)
}

/// A new RSA private key of `bits` bits (public exponent 65537).
pub fn generate(bits: u32) -> Result<Rsa<Private>, ErrorStack> {
    let bits = i32::try_from(bits).unwrap_or(i32::MAX);
    loop {
        let e = BigNum::from_u32(EXPONENT)?;
        let (a, b) = primes(bits)?;
        let (p, q) = if a > b { (a, b) } else { (b, a) };
        if !apart(&p, &q, bits)? {
            continue;
        }
        let key = assemble(p, q, e)?;
        if i32::try_from(key.size() * 8).is_ok_and(|b| b == bits) {
            return Ok(key);
        }
    }
}
