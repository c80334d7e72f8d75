package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/term"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/console"
	"github.com/chatdesk/chatdesk/internal/health"
	"github.com/chatdesk/chatdesk/internal/metrics"
	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/chatdesk/chatdesk/internal/twitch"
)

// runBot runs the bot until ctx is done (or, in the console, until the
// input ends): on Twitch when a token is set, else as a local console chat.
// Both go through serve.
func (a *app) runBot(ctx context.Context, configPath string) error {
	cfg, err := a.loadConfigFor(configPath)
	if err != nil {
		return err
	}
	log := a.logger(cfg.Bot.LogLevel)
	tok, live, err := twitch.StartToken(twitch.Credentials{AccessToken: cfg.Twitch.Token, RefreshToken: cfg.Twitch.RefreshToken, ClientID: cfg.Twitch.ClientID},
		twitch.TokenFile(cfg.Bot.DataDir))
	if err != nil {
		return badInput(err)
	}
	// The console creates its store with the first ticket, so a try-out
	// leaves no file; a live bot's event log is worth a file at once.
	store, err := openStore(ctx, cfg, !live, log)
	if err != nil {
		return err
	}
	defer store.Close()
	m := newMetrics(cfg)
	meterTickets(ctx, store, m, cfg, log)
	chs, err := buildChannels(cfg, channelOptions{store: store, metrics: m, log: log})
	if err != nil {
		return err
	}
	defer chs.Close()
	store.channels.Store(chs)

	if live {
		f, err := a.twitchFront(ctx, cfg, tok, chs, m, log)
		if err != nil {
			return err
		}
		err = a.serve(ctx, chs, store, m, f, log)
		if err == nil {
			log.Info("stopped")
		}
		return err
	}
	return a.serve(ctx, chs, store, m, a.consoleFront(cfg, chs, m, log), log)
}

// front is where chat comes from and where decisions go: Twitch or the
// console. Everything behind it is the same.
type front struct {
	messages <-chan chat.Message
	sink     router.Sink
	// run is the front's own loop. Its context ends after the router has
	// stopped, so what the router decided is still carried out.
	run func(ctx context.Context) error
	// health is what /healthz reports, given the messages the router
	// dropped.
	health func(routerDropped int64) health.Status
	// live is what the metrics read of the connection; nil in the console.
	live func() metrics.Live
	// dropped counts messages the front itself dropped; nil: none.
	dropped func() int64
	// ln serves /healthz and /metrics; nil: off.
	ln net.Listener
}

// serve runs the channels behind a front until ctx ends or the front's chat
// does: the router and its observers, each channel's loops, the spool's
// flusher, the event log and the health endpoint. Every goroutine is owned
// here and ends before serve returns.
func (a *app) serve(ctx context.Context, chs *router.Channels, store *ticketStore, m *metrics.Metrics, f front, log *slog.Logger) error {
	rt := router.NewRouter(chs.Pipelines(), f.sink, log)
	rt.Observe(chs)
	if a.hooks.observe != nil {
		rt.Observe(a.hooks.observe)
	}
	events := router.NewEventRecorder(store, nil, log)
	rt.Observe(events)
	if m != nil {
		rt.Observe(m)
		if f.live != nil {
			m.WatchLive(f.live)
		}
		m.WatchDropped(func() int64 {
			n := rt.Dropped()
			if f.dropped != nil {
				n += f.dropped()
			}
			return n
		})
	}
	// Reminders, late ticket numbers and tips go to chat like every
	// other reply.
	chs.Attach(f.sink)

	// The router stops at the signal or when chat ends. The front, the
	// event log and the endpoint outlive it, to carry out and record what
	// it already decided; the channels' loops stop with it.
	after, stopAfter := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAfter()
	g, gctx := errgroup.WithContext(ctx)
	loopCtx, stopLoops := context.WithCancel(gctx)
	defer stopLoops()
	var loops errgroup.Group
	loops.Go(func() error { return chs.Run(loopCtx) })
	if store.spool != nil {
		loops.Go(func() error { return store.spool.Run(loopCtx, 10*time.Second) })
	}
	g.Go(func() error {
		defer stopAfter()
		defer stopLoops()
		return rt.Run(gctx, f.messages)
	})
	g.Go(func() error { return f.run(after) })
	g.Go(func() error { return events.Run(after) })
	if f.ln != nil {
		log.Info("health and metrics endpoint listening", "url", "http://"+f.ln.Addr().String()+"/healthz", "metrics", "http://"+f.ln.Addr().String()+"/metrics")
		status := func() health.Status { return f.health(rt.Dropped()) }
		g.Go(func() error { return health.Serve(after, f.ln, httpMux(m, status)) })
	}
	err := g.Wait()
	stopLoops()
	_ = loops.Wait()
	return err
}

// consoleFront is a local chat on standard input and output, in the first
// channel.
func (a *app) consoleFront(cfg *Config, chs *router.Channels, m *metrics.Metrics, log *slog.Logger) front {
	first := chs.All()[0]
	con := console.New(a.stdin, a.stdout, first.Name(), cfg.Bot.Name)
	if isTerminal(a.stdin) {
		fmt.Fprintf(a.stderr, "chatdesk console — you are in #%s (%d FAQ entries). No Twitch token is set, so chat is local.\n"+
			"Type a chat line: 'name: text', plain 'text', or '@mod name: text' to speak as a moderator. Ctrl-D quits.\n",
			first.Name(), len(first.Responder().Entries()))
	}
	msgs := make(chan chat.Message, router.LaneDepth)
	f := front{
		messages: msgs, sink: con,
		run:    func(ctx context.Context) error { return con.Read(ctx, msgs) },
		health: consoleHealth(chs.Names()),
	}
	if m != nil {
		f.ln = consoleListener(cfg, log)
	}
	return f
}

// isTerminal reports whether r is an interactive terminal. A character
// device is not enough: /dev/null is one too.
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
