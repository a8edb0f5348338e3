package auth_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"golang.org/x/crypto/argon2"
)

const testPassword = "correct horse battery staple"

// mustHash returns pw's hash from HashPassword.
func mustHash(t testing.TB, pw string) string {
	t.Helper()
	h, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	return h
}

// phc builds an argon2id PHC string by hand, so tests can make hashes with
// parameters and lengths HashPassword never would.
func phc(pw string, salt []byte, mem, iter uint32, threads uint8, keyLen uint32) string {
	b64 := base64.RawStdEncoding
	key := argon2.IDKey([]byte(pw), salt, iter, mem, threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, mem, iter, threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func TestHashPassword(t *testing.T) {
	t.Parallel()
	h := mustHash(t, testPassword)
	if got, want := h, "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(got, want) {
		t.Fatalf("hash = %q, want prefix %q", got, want)
	}
	if !auth.VerifyPassword(h, testPassword) {
		t.Fatal("VerifyPassword(hash, right password) = false")
	}
	if auth.VerifyPassword(h, testPassword+"!") {
		t.Fatal("VerifyPassword(hash, wrong password) = true")
	}
	if auth.VerifyPassword(h, "") {
		t.Fatal("VerifyPassword(hash, empty password) = true")
	}
	if h2 := mustHash(t, testPassword); h2 == h {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	if _, err := auth.HashPassword("short"); bluelamp.KindOf(err) != bluelamp.KindInvalid {
		t.Fatalf("HashPassword(too short) error = %v, want KindInvalid", err)
	}
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pw    string
		field string // "" when the password is acceptable
	}{
		{"OK", "twelve chars", ""},
		{"OKMultiByte12Runes", strings.Repeat("é", 12), ""},
		{"OKMaxBytes", strings.Repeat("a", auth.MaxPasswordLen), ""},
		{"ErrEmpty", "", "must be at least 12 characters"},
		{"ErrElevenChars", "eleven char", "must be at least 12 characters"},
		{"ErrElevenRunesOf22Bytes", strings.Repeat("é", 11), "must be at least 12 characters"},
		{"ErrTooManyBytes", strings.Repeat("a", auth.MaxPasswordLen+1), "must be at most 256 bytes"},
		{"ErrShortInRunesLongInBytes", strings.Repeat("€", 90), "must be at most 256 bytes"},
		{"ErrInvalidUTF8", "twelve chars\xff", "must be valid UTF-8 text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := auth.CheckPassword(tt.pw)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("CheckPassword = %v, want nil", err)
				}
				return
			}
			e, ok := errors.AsType[*bluelamp.Error](err)
			if !ok || e.Kind != bluelamp.KindInvalid {
				t.Fatalf("CheckPassword = %v, want a KindInvalid *bluelamp.Error", err)
			}
			if got := e.Fields["password"]; got != tt.field {
				t.Fatalf("Fields[password] = %q, want %q", got, tt.field)
			}
		})
	}
}

// TestVerifyPasswordHostile checks that malformed and hostile PHC strings
// never match and never panic. The "OK" cases prove the hand-built hashes
// are otherwise right, so each Err case fails for its one change.
func TestVerifyPasswordHostile(t *testing.T) {
	t.Parallel()
	pw := testPassword
	salt := []byte("0123456789abcdef")
	good := phc(pw, salt, 64, 1, 1, 32)
	parts := strings.Split(good, "$") // "", "argon2id", "v=19", "m=64,t=1,p=1", salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	long := strings.Repeat("a", auth.MaxPasswordLen+1)
	tests := []struct {
		name string
		hash string
		pw   string
		want bool
	}{
		{"OKHandBuilt", good, pw, true},
		{"OKRealHash", mustHash(t, pw), pw, true},
		{"OKShortKey", phc(pw, salt, 64, 1, 1, 16), pw, true},
		{"ErrWrongPassword", good, pw + "x", false},
		{"ErrEmpty", "", pw, false},
		{"ErrEmptyPasswordEmptyHash", "", "", false},
		{"ErrOnlyDollars", "$$$$$", pw, false},
		{"ErrPrefixOnly", "$argon2id$", pw, false},
		{"ErrTooFewParts", strings.Join(parts[:5], "$"), pw, false},
		{"ErrTooManyParts", good + "$extra", pw, false},
		{"ErrArgon2i", with(1, "argon2i"), pw, false},
		{"ErrArgon2d", with(1, "argon2d"), pw, false},
		{"ErrUpperCaseAlgorithm", with(1, "ARGON2ID"), pw, false},
		{"ErrBcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", pw, false},
		{"ErrVersion16", with(2, "v=16"), pw, false},
		{"ErrVersionText", with(2, "v=x"), pw, false},
		{"ErrVersionMissing", with(2, ""), pw, false},
		{"ErrMemoryZero", with(3, "m=0,t=1,p=1"), pw, false},
		{"ErrMemoryOverCap", with(3, "m=1048577,t=1,p=1"), pw, false},
		{"ErrMemoryOverflowsUint32", with(3, "m=4294967296,t=1,p=1"), pw, false},
		{"ErrMemoryNegative", with(3, "m=-64,t=1,p=1"), pw, false},
		{"ErrMemoryHuge", with(3, "m=99999999999999999999999,t=1,p=1"), pw, false},
		{"ErrTimeZero", with(3, "m=64,t=0,p=1"), pw, false},
		{"ErrTimeOverCap", with(3, "m=64,t=17,p=1"), pw, false},
		{"ErrTimeHuge", with(3, "m=64,t=4294967295,p=1"), pw, false},
		{"ErrThreadsZero", with(3, "m=64,t=1,p=0"), pw, false},
		{"ErrThreadsOverflowUint8", with(3, "m=64,t=1,p=256"), pw, false},
		{"ErrParamsGarbage", with(3, "m=abc"), pw, false},
		{"ErrParamsEmpty", with(3, ""), pw, false},
		{"ErrParamsReordered", with(3, "t=1,m=64,p=1"), pw, false},
		{"ErrSaltBadBase64", with(4, "!!!!"), pw, false},
		{"ErrSaltPadded", with(4, base64.StdEncoding.EncodeToString(salt)), pw, false},
		{"ErrKeyBadBase64", with(5, "not base64!"), pw, false},
		{"ErrKeyEmpty", with(5, ""), pw, false},
		{"ErrKeyTooLong", with(5, base64.RawStdEncoding.EncodeToString(make([]byte, 65))), pw, false},
		{"ErrKeyTruncated", with(5, parts[5][:len(parts[5])-4]), pw, false},
		{"ErrKeyOfOtherPassword", with(5, strings.Split(phc("another password", salt, 64, 1, 1, 32), "$")[5]), pw, false},
		{"ErrPasswordOverMaxEvenIfHashMatches", phc(long, salt, 64, 1, 1, 32), long, false},
		{"ErrNULInHash", good + "\x00", pw, false},
		{"ErrInvalidUTF8Hash", "$argon2id$v=19$m=64,t=1,p=1$\xff\xfe$\xff", pw, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := auth.VerifyPassword(tt.hash, tt.pw); got != tt.want {
				t.Fatalf("VerifyPassword(%q) = %v, want %v", tt.hash, got, tt.want)
			}
		})
	}
}

// costly reports whether hash asks for more argon2 work than a fuzz
// iteration should spend. Parameters within VerifyPassword's caps are legal
// but may cost up to a GiB and seconds a call.
var paramPattern = regexp.MustCompile(`([mt])=\s*\+?(\d+)`)

func costly(hash string) bool {
	for _, m := range paramPattern.FindAllStringSubmatch(hash, -1) {
		n, err := strconv.ParseUint(m[2], 10, 64)
		if err != nil {
			continue // overflows: VerifyPassword refuses it before hashing
		}
		if m[1] == "m" && n > 4096 && n <= 1<<20 || m[1] == "t" && n > 2 && n <= 16 {
			return true
		}
	}
	return false
}

func FuzzVerifyPassword(f *testing.F) {
	realHash := mustHash(f, testPassword)
	cheap := phc(testPassword, []byte("saltsaltsaltsalt"), 64, 1, 1, 32)
	f.Add(realHash, testPassword)
	f.Add(realHash, testPassword+"x")
	f.Add(realHash, "")
	f.Add(cheap, testPassword)
	f.Add(cheap, "wrong password")
	f.Add("", "")
	f.Add("$", "x")
	f.Add("$argon2id$v=19$m=0,t=0,p=0$$", "")
	f.Add("$argon2id$v=19$m=4294967296,t=1,p=1$c2FsdA$a2V5", testPassword)
	f.Add("$argon2id$v=19$m=64,t=1,p=256$c2FsdA$a2V5", testPassword)
	f.Add("$argon2id$v=19$m=64,t=1,p=1$!!$!!", testPassword)
	f.Add("$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", testPassword)
	f.Add("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", testPassword)
	f.Add("\xff\xfe\x00$argon2id", "\x00")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		if costly(hash) {
			t.Skip("parameters too costly for a fuzz iteration")
		}
		got := auth.VerifyPassword(hash, pw)
		if got && !strings.HasPrefix(hash, "$argon2id$") {
			t.Fatalf("VerifyPassword(%q, %q) = true for a hash that is not argon2id", hash, pw)
		}
		if got && len(pw) > auth.MaxPasswordLen {
			t.Fatalf("VerifyPassword matched a %d-byte password, over MaxPasswordLen", len(pw))
		}
		if again := auth.VerifyPassword(hash, pw); again != got {
			t.Fatalf("VerifyPassword(%q, %q) = %v then %v", hash, pw, got, again)
		}
	})
}
