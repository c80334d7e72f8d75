package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/chatdesk/chatdesk/internal/cluster"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/router"
)

// recoverAdvice ends the error of a damaged embedded store.
const recoverAdvice = "run `bot tickets recover` to copy every readable ticket into a new file"

// ticketStore is the run's ticket store, and the spool in front of it when
// it is Redis.
type ticketStore struct {
	escalation.Store
	spool *escalation.Spool
	// leases say which channels this instance works when several share
	// them; nil: all of them.
	leases *cluster.Leases
	// channels hear of tickets that waited in the spool, once they exist.
	channels atomic.Pointer[router.Channels]
}

// openStore opens the ticket store the config names. A Redis that does not
// answer at start is not fatal: tickets go to the spool until it does. With
// lazy, an embedded store's file is created by the first ticket only, so a
// try-out leaves no file behind.
func openStore(ctx context.Context, cfg *Config, lazy bool, log *slog.Logger) (*ticketStore, error) {
	st := &ticketStore{}
	if cfg.Store.Backend != "redis" {
		s, err := escalation.OpenBolt(cfg.Store.Path, escalation.BoltOptions{Lazy: lazy, Advice: recoverAdvice})
		if err != nil {
			return nil, &exitErr{code: exitFailure, err: err}
		}
		st.Store = s
		return st, nil
	}
	rc := cfg.Store.Redis
	client := escalation.NewRedisClient(rc.Address())
	rs := escalation.NewRedis(client, escalation.RedisOptions{Prefix: rc.KeyPrefix, Log: log})
	if err := rs.Open(ctx); err != nil {
		if !errors.Is(err, escalation.ErrUnavailable) {
			client.Close()
			return nil, &exitErr{code: exitFailure, err: fmt.Errorf("ticket store: %w", err)}
		}
		log.Warn("redis does not answer; tickets go to the local spool until it does", "addrs", strings.Join(rc.Addrs, ","), "err", err)
	}
	flushed := func(t escalation.Ticket) {
		if chs := st.channels.Load(); chs != nil {
			chs.Flushed(t)
		}
	}
	spool, err := escalation.OpenSpool(filepath.Join(cfg.Bot.DataDir, "spool.db"), rs, escalation.SpoolOptions{Log: log, Flushed: flushed})
	if err != nil {
		client.Close()
		return nil, &exitErr{code: exitFailure, err: fmt.Errorf("ticket store: %w", err)}
	}
	st.Store, st.spool = spool, spool
	if cfg.Cluster.Enabled {
		st.leases = cluster.New(cluster.Config{
			Client: client, Prefix: rc.KeyPrefix, Instance: cfg.Cluster.Instance,
			Channels: cfg.channelNames(), Log: log,
		})
	}
	return st, nil
}
