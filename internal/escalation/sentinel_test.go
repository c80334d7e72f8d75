package escalation_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/redis/go-redis/v9"
)

// startSentinel starts a Redis Sentinel watching master under the name
// "chatdesk", and returns its address.
func startSentinel(t *testing.T, master *redisServer) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	// Sentinel rewrites its config file, so it gets one of its own.
	conf := filepath.Join(dir, "sentinel.conf")
	body := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor chatdesk 127.0.0.1 %d 1\nsentinel down-after-milliseconds chatdesk 5000\n",
		port, dir, master.port)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(master.bin, conf, "--sentinel", "--daemonize", "no", "--logfile", filepath.Join(dir, "sentinel.log"))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sentinel: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	// Wait until the sentinel knows the master: the poll ends as soon as
	// it answers, so this times nothing.
	sc := redis.NewSentinelClient(&redis.Options{Addr: addr, DialTimeout: 100 * time.Millisecond})
	defer sc.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := sc.GetMasterAddrByName(context.Background(), "chatdesk").Result()
		if err == nil && len(got) == 2 && got[1] == strconv.Itoa(master.port) {
			return addr
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "sentinel.log"))
			t.Fatalf("sentinel on %s does not know the master: %v %v\n%s", addr, got, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSentinelConformance runs the store's conformance suite through a
// Sentinel, the way the bot connects when the config names a master_name:
// go-redis's UniversalClient asks the Sentinel for the master.
func TestSentinelConformance(t *testing.T) {
	master := startRedisServer(t)
	sentinel := startSentinel(t, master)
	var once sync.Once
	var c redis.UniversalClient
	client := func() redis.UniversalClient {
		once.Do(func() {
			c = redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{sentinel}, MasterName: "chatdesk"})
		})
		return c
	}
	t.Cleanup(func() {
		if c != nil {
			c.Close()
		}
	})
	if _, ok := client().(*redis.Client); !ok {
		t.Fatalf("UniversalClient with a master name is %T; want the failover client", client())
	}
	testStore(t, func(t *testing.T) escalation.Store {
		s, err := escalation.OpenRedis(context.Background(), client(), escalation.RedisOptions{Prefix: testPrefix(t, client())})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
