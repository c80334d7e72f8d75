package escalation_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/redis/go-redis/v9"
)

func openBolt(t *testing.T) escalation.Store {
	t.Helper()
	s, err := escalation.OpenBolt(filepath.Join(t.TempDir(), "tickets.db"), escalation.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestBoltConformance(t *testing.T) { testStore(t, openBolt) }

// testRedisAddr is the Redis the tests use: CHATDESK_TEST_REDIS or the
// default port on this machine.
func testRedisAddr() string {
	if a := os.Getenv("CHATDESK_TEST_REDIS"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// needRedis returns a client for the test Redis. Without one the test is
// skipped, except in CI, where a missing Redis fails: a suite that silently
// skips its Redis half proves nothing.
func needRedis(t testing.TB) redis.UniversalClient {
	t.Helper()
	addr := testRedisAddr()
	if err := probeRedis(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Redis at %s (CHATDESK_TEST_REDIS): %v; CI must provide one (.ci/run starts one)", addr, err)
		}
		t.Skipf("no Redis at %s (set CHATDESK_TEST_REDIS, or run .ci/run, which starts one): %v", addr, err)
	}
	return redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second})
}

// probeRedis asks the test Redis once per test binary whether it answers,
// so a missing server costs one failed dial, not one per test.
var probeRedis = sync.OnceValue(func() error {
	c := redis.NewClient(&redis.Options{Addr: testRedisAddr(), DialTimeout: time.Second, MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
})

// testPrefix is a key prefix no other test uses; every key under it is
// deleted when the test ends.
func testPrefix(t testing.TB, c redis.UniversalClient) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "chatdesk-test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return prefix
}

func openRedis(t *testing.T) escalation.Store {
	t.Helper()
	c := needRedis(t)
	// Cleanups run last-registered first: the keys go, then the client.
	t.Cleanup(func() { c.Close() })
	s, err := escalation.OpenRedis(context.Background(), c, escalation.RedisOptions{Prefix: testPrefix(t, c)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRedisConformance(t *testing.T) { testStore(t, openRedis) }

// TestTwoInstancesRaceToClaim: two bot instances share one Redis; a
// moderator on each types !claim 1 at the same moment. Exactly one wins,
// and the other is told who has it.
func TestTwoInstancesRaceToClaim(t *testing.T) {
	c := needRedis(t)
	t.Cleanup(func() { c.Close() })
	prefix := testPrefix(t, c)
	instance := func() *desk {
		rs, err := escalation.OpenRedis(context.Background(), redis.NewClient(&redis.Options{Addr: testRedisAddr()}), escalation.RedisOptions{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rs.Close() })
		return newDesk(t, rs, defaultSettings(), nil)
	}
	a, b := instance(), instance()
	for round := 1; round <= 20; round++ {
		a.viewer(fmt.Sprintf("viewer%d", round), fmt.Sprintf("!report problem %d", round))
		claim := fmt.Sprintf("!claim %d", round)
		var wg sync.WaitGroup
		var da, db chat.Decision
		wg.Add(2)
		go func() { defer wg.Done(); da = a.mod("kim", claim) }()
		go func() { defer wg.Done(); db = b.mod("lee", claim) }()
		wg.Wait()
		ya, yb := strings.Contains(texts(da), "is yours"), strings.Contains(texts(db), "is yours")
		if ya == yb {
			t.Fatalf("round %d: kim %q, lee %q; want exactly one winner", round, texts(da), texts(db))
		}
		loser, winner := db, "kim"
		if yb {
			loser, winner = da, "lee"
		}
		if !strings.Contains(texts(loser), "claimed by "+winner) {
			t.Fatalf("round %d: the loser was told %q; want who holds it", round, texts(loser))
		}
	}
}

func TestMemoryConformance(t *testing.T) {
	testStore(t, func(*testing.T) escalation.Store { return escalation.NewMemoryStore() })
}
