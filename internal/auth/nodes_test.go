package auth_test

import (
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

// TestLockOutAcrossNodes guesses a password concurrently through two nodes
// (two stores and two Authenticators on one database file): the database
// counts every guess, so the account still locks at LockAfter.
func TestLockOutAcrossNodes(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s1 := newTestStore(t, clock)
	newJane(t, s1)
	s2 := sqlstore.New(s1.DSN)
	s2.Now = clock.Now
	if err := s2.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	nodes := []*auth.Authenticator{auth.New(s1), auth.New(s2)}
	for _, a := range nodes {
		a.Now = clock.Now
	}
	const guesses = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	kinds := map[bluelamp.Kind]int{}
	for i := range guesses {
		wg.Go(func() {
			_, _, err := nodes[i%2].SignIn(t.Context(), "jane.doe", "a wrong password")
			mu.Lock()
			kinds[bluelamp.KindOf(err)]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if kinds[bluelamp.KindLocked] < guesses-nodes[0].LockAfter+1 || kinds[bluelamp.KindUnauthenticated] > nodes[0].LockAfter-1 {
		t.Fatalf("outcomes %v: more than %d guesses were let through before the lock", kinds, nodes[0].LockAfter-1)
	}
	if _, _, err := nodes[1].SignIn(t.Context(), "jane.doe", testPassword); bluelamp.KindOf(err) != bluelamp.KindLocked {
		t.Fatalf("right password after the guesses: %v, want locked", err)
	}
}

// TestLockExpiryRestartsCount: once a lock runs out, one more wrong password
// does not lock the account again; LockAfter more do.
func TestLockExpiryRestartsCount(t *testing.T) {
	t.Parallel()
	a, s, clock := newAuth(t)
	newJane(t, s)
	for range a.LockAfter {
		a.SignIn(t.Context(), "jane.doe", "a wrong password")
	}
	clock.Advance(a.LockFor + time.Second)
	for i := 1; i < a.LockAfter; i++ {
		if _, _, err := a.SignIn(t.Context(), "jane.doe", "a wrong password"); bluelamp.KindOf(err) != bluelamp.KindUnauthenticated {
			t.Fatalf("failure %d after the lock ran out: %v, want a plain refusal", i, err)
		}
	}
	if _, _, err := a.SignIn(t.Context(), "jane.doe", "a wrong password"); bluelamp.KindOf(err) != bluelamp.KindLocked {
		t.Fatalf("failure %d after the lock ran out: %v, want locked again", a.LockAfter, err)
	}
}
