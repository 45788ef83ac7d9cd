/* sha256.c - SHA-256 (FIPS 180-4), for the pack's digest that a clinic can pin (policy.c).
 *
 * The host hashes its whole rule pack (about 2.9 MB, most of it the learned scorer's weights)
 * at start-up when the clinic's file pins it, inside a start-up budget of 20 ms. Portable C
 * does about 200-300 MB/s, some 10 ms for the pack; x86-64 processors with the SHA extensions
 * (Intel since Goldmont and Ice Lake, AMD since Zen) do the compression in hardware at well over
 * 1 GB/s, so where the compiler can emit them and the processor says it has them (CPUID leaf 7,
 * EBX bit 29, with SSE4.1), the blocks go through sha_ni_blocks instead. Both give the same
 * digest; tests/unit checks them against the standard's vectors. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void portable_blocks(uint32_t h[8], const unsigned char *p, size_t nblocks) {
    for (; nblocks--; p += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
                   (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = k + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
            uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#define PG_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>

/* The SHA extensions keep the state as two registers, ABEF and CDGH; each sha256rnds2 does two
 * rounds, taking the message words plus constants in the low 64 bits of its third operand. */
__attribute__((target("sha,sse4.1"))) static void sha_ni_blocks(uint32_t h[8],
                                                                 const unsigned char *p,
                                                                 size_t nblocks) {
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&h[0]);     /* DCBA */
    __m128i s1 = _mm_loadu_si128((const __m128i *)&h[4]);      /* HGFE */
    tmp = _mm_shuffle_epi32(tmp, 0xB1);                        /* CDAB */
    s1 = _mm_shuffle_epi32(s1, 0x1B);                          /* EFGH */
    __m128i s0 = _mm_alignr_epi8(tmp, s1, 8);                  /* ABEF */
    s1 = _mm_blend_epi16(s1, tmp, 0xF0);                       /* CDGH */
    for (; nblocks--; p += 64) {
        __m128i a0 = s0, c0 = s1, m[4], msg;
        for (int i = 0; i < 4; i++)
            m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
        /* unrolled, so that m[] stays in registers */
#pragma GCC unroll 16
        for (int r = 0; r < 16; r++) {
            __m128i *cur = &m[r & 3];
            if (r >= 4) {
                /* schedule: w[4r..4r+3] from the four vectors before */
                __m128i t = _mm_sha256msg1_epu32(m[r & 3], m[(r + 1) & 3]);
                t = _mm_add_epi32(t, _mm_alignr_epi8(m[(r + 3) & 3], m[(r + 2) & 3], 4));
                *cur = _mm_sha256msg2_epu32(t, m[(r + 3) & 3]);
            }
            msg = _mm_add_epi32(*cur, _mm_loadu_si128((const __m128i *)&K[4 * r]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(msg, 0x0E));
        }
        s0 = _mm_add_epi32(s0, a0);
        s1 = _mm_add_epi32(s1, c0);
    }
    tmp = _mm_shuffle_epi32(s0, 0x1B);                         /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);                          /* DCHG */
    s0 = _mm_blend_epi16(tmp, s1, 0xF0);                       /* DCBA */
    s1 = _mm_alignr_epi8(s1, tmp, 8);                          /* HGFE */
    _mm_storeu_si128((__m128i *)&h[0], s0);
    _mm_storeu_si128((__m128i *)&h[4], s1);
}

static int have_sha_ni(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1)) return 0;
    if (__get_cpuid_max(0, NULL) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b >> 29) & 1;
}
#endif

void pg_sha256_init(pg_sha256 *s, int portable) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
    s->n = 0;
    s->hw = 0;
#ifdef PG_SHA_NI
    s->hw = !portable && have_sha_ni();
#else
    (void)portable;
#endif
}

static void blocks(pg_sha256 *s, const unsigned char *p, size_t n) {
#ifdef PG_SHA_NI
    if (s->hw) {
        sha_ni_blocks(s->h, p, n);
        return;
    }
#endif
    portable_blocks(s->h, p, n);
}

void pg_sha256_update(pg_sha256 *s, const void *data, size_t len) {
    const unsigned char *p = data;
    s->len += len;
    if (s->n) {
        size_t take = 64 - s->n < len ? 64 - s->n : len;
        memcpy(s->buf + s->n, p, take);
        s->n += take, p += take, len -= take;
        if (s->n < 64) return;
        blocks(s, s->buf, 1);
        s->n = 0;
    }
    if (len >= 64) {
        blocks(s, p, len / 64);
        p += len & ~(size_t)63;
        len &= 63;
    }
    memcpy(s->buf, p, len);
    s->n = len;
}

void pg_sha256_final(pg_sha256 *s, char hex[65]) {
    uint64_t bits = s->len * 8;
    unsigned char pad[72] = {0x80};
    size_t padlen = (s->n < 56 ? 56 : 120) - s->n;
    for (int i = 0; i < 8; i++) pad[padlen + i] = (unsigned char)(bits >> (56 - 8 * i));
    pg_sha256_update(s, pad, padlen + 8);
    for (int i = 0; i < 8; i++) snprintf(hex + 8 * i, 9, "%08x", (unsigned)s->h[i]);
}
