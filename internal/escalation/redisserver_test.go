package escalation_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServerBin is where Debian's redis-server package puts the server.
const redisServerBin = "/usr/bin/redis-server"

// redisServer is a redis-server process a test starts, stops and restarts
// itself, on its own port and data directory, with an append-only file
// fsynced on every write: the setup the README asks of production.
type redisServer struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
}

// startRedisServer starts a private redis-server. Without the binary the
// test is skipped with the reason, except in CI, where it fails.
func startRedisServer(t testing.TB) *redisServer {
	t.Helper()
	bin := redisServerBin
	if _, err := os.Stat(bin); err != nil {
		path, lerr := exec.LookPath("redis-server")
		if lerr != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("redis-server not installed (%v); CI must have it (.ci/run installs Debian's redis-server)", err)
			}
			t.Skipf("redis-server not installed (%v); install Debian's redis-server package to run the Redis fault tests", err)
		}
		bin = path
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &redisServer{t: t, bin: bin, dir: t.TempDir(), port: port}
	s.start()
	t.Cleanup(func() { s.kill() })
	return s
}

func (s *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func (s *redisServer) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "",
		"--maxmemory-policy", "noeviction", "--daemonize", "no", "--logfile", "redis.log")
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	// Waiting for a process to listen is not timing a test: the poll ends
	// as soon as the server answers.
	c := redis.NewClient(&redis.Options{Addr: s.addr(), DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := c.Ping(context.Background()).Err()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(s.dir + "/redis.log")
			s.t.Fatalf("redis-server on %s did not answer: %v\n%s", s.addr(), err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill stops the server the hard way, as a crash or a pulled plug would.
func (s *redisServer) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
	s.cmd = nil
}

// restart brings the server back on the same port and data directory.
func (s *redisServer) restart() {
	s.t.Helper()
	s.kill()
	s.start()
}

// client is a client tuned to notice an outage quickly, as the bot's is.
func (s *redisServer) client() redis.UniversalClient {
	return redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: []string{s.addr()}, DialTimeout: 200 * time.Millisecond,
		ReadTimeout: time.Second, WriteTimeout: time.Second, MaxRetries: 1,
	})
}

func (s *redisServer) String() string { return fmt.Sprintf("redis-server %s in %s", s.addr(), s.dir) }

// go-redis logs every failed dial on its own; the fault tests fail dials on
// purpose, and the store reports what matters through its errors.
type quietRedisLog struct{}

func (quietRedisLog) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietRedisLog{}) }
