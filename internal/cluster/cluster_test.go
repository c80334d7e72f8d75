package cluster

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatdesk/chatdesk/internal/cluster/clustertest"
)

// proxy stands between one instance and Redis, so a test can pause the
// instance's network or cut it off, as a crash or a partition would, while
// the other instances talk to Redis undisturbed.
type proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	paused chan struct{} // closed while traffic flows
	conns  []net.Conn
	cut    bool
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, paused: make(chan struct{})}
	close(p.paused)
	t.Cleanup(func() { p.kill() })
	go p.serve()
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

// pipe copies from src to dst, holding each chunk while paused.
func (p *proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			gate := p.paused
			p.mu.Unlock()
			<-gate
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				dst.Close()
			}
			return
		}
	}
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

// pause holds every byte in flight until resume.
func (p *proxy) pause() {
	p.mu.Lock()
	p.paused = make(chan struct{})
	p.mu.Unlock()
}

func (p *proxy) resume() {
	p.mu.Lock()
	select {
	case <-p.paused:
	default:
		close(p.paused)
	}
	p.mu.Unlock()
}

// kill cuts the instance off for good.
func (p *proxy) kill() {
	p.mu.Lock()
	p.cut = true
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.resume()
	p.ln.Close()
}

func channels(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("chan%02d", i)
	}
	return out
}

// instance is one bot's leases, run until stop, over its own proxy.
type instance struct {
	*Leases
	proxy *proxy
	stop  context.CancelFunc
	done  chan error
}

func startInstance(t *testing.T, redisAddr, name string, chs []string, ttl time.Duration) *instance {
	p := newProxy(t, redisAddr)
	c := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: []string{p.addr()}, DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond, MaxRetries: -1,
	})
	t.Cleanup(func() { c.Close() })
	l := New(Config{Client: c, Prefix: "test:", Instance: name, Channels: chs, TTL: ttl})
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{Leases: l, proxy: p, stop: cancel, done: make(chan error, 1)}
	go func() { in.done <- l.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-in.done
	})
	return in
}

// watch polls the instances until cond holds, failing the test when two
// instances ever act on one channel at once, or after limit.
func watch(t *testing.T, ins []*instance, limit time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		for _, ch := range ins[0].cfg.Channels {
			var holders []string
			for _, in := range ins {
				if in.Holds(ch) {
					holders = append(holders, in.Instance())
				}
			}
			if len(holders) > 1 {
				t.Fatalf("%s held by %v at once", ch, holders)
			}
		}
		if cond() {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			t.Fatalf("not so within %s", limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func heldBy(ins ...*instance) (total int, each []int) {
	for _, in := range ins {
		n := len(in.Held())
		total += n
		each = append(each, n)
	}
	return total, each
}

// TestLeasesShareAndHandOver: three instances share 30 channels evenly;
// one dies without a word (its connection cut, nothing released, as under
// SIGKILL) and the other two serve its channels within 10 s; one stops
// cleanly and its channels move at once. No channel is ever held twice.
func TestLeasesShareAndHandOver(t *testing.T) {
	if DefaultTTL+DefaultRenew >= 10*time.Second {
		t.Fatalf("a dead instance's channels wait up to %s; want under 10s", DefaultTTL+DefaultRenew)
	}
	addr := clustertest.StartRedis(t)
	chs := channels(30)
	ttl := 2 * time.Second
	a := startInstance(t, addr, "a", chs, ttl)
	b := startInstance(t, addr, "b", chs, ttl)
	c := startInstance(t, addr, "c", chs, ttl)
	all := []*instance{a, b, c}
	watch(t, all, 20*time.Second, func() bool {
		total, each := heldBy(a, b, c)
		return total == 30 && each[0] == 10 && each[1] == 10 && each[2] == 10
	})

	// c dies: its connection is cut, so from Redis's side nothing of it is
	// renewed or released again, as after SIGKILL.
	c.proxy.kill()
	took := watch(t, all, 10*time.Second, func() bool {
		total, each := heldBy(a, b)
		return total == 30 && each[0] == 15 && each[1] == 15
	})
	t.Logf("a dead instance's 10 channels served by the others %s later (lease ttl %s)", took.Round(time.Millisecond), ttl)
	if n := len(c.Held()); n != 0 {
		t.Errorf("the dead instance still thinks it holds %d channels", n)
	}

	// b stops cleanly: it releases at once, and a takes everything on its
	// next round, well before b's leases would have run out.
	b.stop()
	<-b.done
	b.done <- nil
	took = watch(t, []*instance{a, b}, 10*time.Second, func() bool { return len(a.Held()) == 30 })
	if took >= ttl {
		t.Errorf("a clean stop's channels taken %s later; want sooner than a lease's ttl (%s)", took, ttl)
	}
}

// TestLeaseLostInPauseNeverOverlaps: an instance whose network stalls
// stops acting before its lease runs out in Redis, the other takes the
// channel only then, with a higher fencing token, and when the network
// comes back the first learns it lost the channel.
func TestLeaseLostInPauseNeverOverlaps(t *testing.T) {
	addr := clustertest.StartRedis(t)
	chs := channels(1)
	ttl := time.Second
	a := startInstance(t, addr, "a", chs, ttl)
	watch(t, []*instance{a}, 10*time.Second, func() bool { return a.Holds("chan00") })
	first, _ := a.Token("chan00")
	b := startInstance(t, addr, "b", chs, ttl)

	a.proxy.pause()
	both := []*instance{a, b}
	watch(t, both, 10*time.Second, func() bool { return b.Holds("chan00") })
	second, _ := b.Token("chan00")
	if second <= first {
		t.Errorf("fencing token %d after %d; want it to rise with the new holder", second, first)
	}
	a.proxy.resume()
	// a's next renewal finds the lease is b's; meanwhile a must not act.
	watch(t, both, 10*time.Second, func() bool {
		a.mu.Lock()
		_, still := a.held["chan00"]
		a.mu.Unlock()
		return !still
	})
	if !b.Holds("chan00") || a.Holds("chan00") {
		t.Errorf("after the pause: a holds %v, b holds %v; want b alone", a.Holds("chan00"), b.Holds("chan00"))
	}
}

// go-redis logs every failed dial; the tests cut connections on purpose.
type quietRedisLog struct{}

func (quietRedisLog) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietRedisLog{}) }
