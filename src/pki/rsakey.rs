//! RSA key generation without making the operator wait: the two primes are searched at the
//! same time, one per core, with OpenSSL's prime generator (`BN_generate_prime_ex`:
//! random candidates of the size asked with their two top bits set, sieved and tested with
//! Miller-Rabin rounds for a 2^-128 error bound), then put together as every RSA key is
//! (n = pq, d = e⁻¹ mod lcm(p−1, q−1), the CRT numbers) and checked by OpenSSL's own
//! `RSA_check_key` before use. Most of an RSA key's time is its prime search, and the
//! search for q does not depend on p, so two cores take about half the time of one.

use openssl::bn::{BigNum, BigNumContext, BigNumRef};
use openssl::error::ErrorStack;
use openssl::pkey::Private;
use openssl::rsa::Rsa;

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

/// Two primes for a key of `bits` bits, searched on two threads.
fn primes(bits: i32, e: &BigNumRef) -> Result<(BigNum, BigNum), ErrorStack> {
    let half = bits / 2;
    std::thread::scope(|scope| {
        let other = scope.spawn(|| prime(bits - half, e));
        let p = prime(half, e);
        let q = other.join().unwrap_or_else(|_| Err(ErrorStack::get()));
        Ok((p?, q?))
    })
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
    if key.check_key()? {
        Ok(key)
    } else {
        Err(ErrorStack::get())
    }
}

/// A new RSA private key of `bits` bits (public exponent 65537).
pub fn generate(bits: u32) -> Result<Rsa<Private>, ErrorStack> {
    let bits = i32::try_from(bits).unwrap_or(i32::MAX);
    loop {
        let e = BigNum::from_u32(EXPONENT)?;
        let (a, b) = primes(bits, &e)?;
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
