// Package auth signs people and integrations in: argon2id passwords with
// lock-out, server-side sessions, API bearer tokens and OIDC. It decides the
// sign-in rules; the store only records what it decides.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/bluelamp/bluelamp"
	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's first recommended set (19 MiB, 2 passes, 1 lane),
// about 30 ms a hash on this project's 2-core reference machine.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// Password length limits: the maximum keeps a hostile sign-in from making the
// server hash megabytes.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// CheckPassword returns a KindInvalid error saying what is wrong with pw as a
// new password, or nil.
func CheckPassword(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return bluelamp.InvalidFields(map[string]string{"password": "must be valid UTF-8 text"})
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return bluelamp.InvalidFields(map[string]string{"password": fmt.Sprintf("must be at least %d characters", MinPasswordLen)})
	case len(pw) > MaxPasswordLen:
		return bluelamp.InvalidFields(map[string]string{"password": fmt.Sprintf("must be at most %d bytes", MaxPasswordLen)})
	}
	return nil
}

// HashPassword returns pw's argon2id hash in the PHC string format.
func HashPassword(pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// dummyHash is verified against when a username is unknown, so a wrong
// username takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("not-a-real-password-0000")
	if err != nil {
		panic(err)
	}
	return h
})

// VerifyPassword reports whether pw matches the PHC-format argon2id hash.
// A malformed hash never matches.
func VerifyPassword(hash, pw string) bool {
	if len(pw) > MaxPasswordLen {
		return false
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil ||
		mem == 0 || mem > 1<<20 || iter == 0 || iter > 16 || threads == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewSecret returns a random secret with a prefix that says what it is
// ("bls_" for sessions, "blt_" for API tokens) and the SHA-256 the store keeps.
func NewSecret(prefix string) (secret string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}

// HashSecret returns the SHA-256 of a session or token secret. Secrets are
// 256 random bits, so a fast hash is enough: there is nothing to brute-force.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// NewID returns a short random identifier with a prefix, e.g. "tok_…".
func NewID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}
