package main

import (
	"context"
	"fmt"
	"net"
	"os"

	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/console"
	"github.com/chatdesk/chatdesk/internal/health"
	"golang.org/x/sync/errgroup"
	"golang.org/x/term"
)

// runBot runs the bot until ctx is done (or, in the console, until the
// input ends).
func (a *app) runBot(ctx context.Context, configPath string) error {
	cfg, err := a.loadConfigFor(configPath)
	if err != nil {
		return err
	}
	log := a.logger(cfg.Bot.LogLevel)
	esc, err := a.openEscalation(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer esc.close()
	m := newMetrics(cfg)
	meterTickets(ctx, esc, m, cfg, log)
	chs, err := buildChannels(cfg, nil, log, esc)
	if err != nil {
		return err
	}
	defer closeChannels(chs)

	if cfg.Twitch.Token != "" {
		return a.runTwitch(ctx, cfg, chs, esc, m)
	}

	con := console.New(a.stdin, a.stdout, chs[0].name, cfg.Bot.Name)
	if isTerminal(a.stdin) {
		fmt.Fprintf(a.stderr, "chatdesk console — you are in #%s (%d FAQ entries). No Twitch token is set, so chat is local.\n"+
			"Type a chat line: 'name: text', plain 'text', or '@mod name: text' to speak as a moderator. Ctrl-D quits.\n",
			chs[0].name, len(chs[0].responder.Entries()))
	}
	rt := router.NewRouter(pipelines(chs), con, log)
	rt.Observe(feedbackObservers(chs))
	esc.useSink(con)
	// The stream report covers console sessions too, once the store exists.
	events := newEventRecorder(consoleEvents(esc.store), nil, log)
	rt.Observe(events)
	tips := newTips(cfg, chs, m, nil, log)
	rt.Observe(tips)
	var ln net.Listener
	if m != nil {
		rt.Observe(m)
		m.WatchDropped(rt.Dropped)
		ln = consoleListener(cfg, log)
	}
	msgs := make(chan chat.Message, router.LaneDepth)

	// The console ends when its input does; the reloaders end with it.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var reloaders errgroup.Group
	startReloaders(rctx, &reloaders, cfg, chs, a)
	tips.start(rctx, &reloaders, con)
	if ln != nil {
		// The endpoint lives as long as the console: it stops with the
		// reloaders when the input ends.
		log.Info("metrics and health endpoint listening", "url", "http://"+ln.Addr().String()+"/metrics")
		reloaders.Go(func() error { return health.Serve(rctx, ln, httpMux(m, consoleHealth(chs, rt.Dropped))) })
	}
	// The recorder outlives the router, to append the router's last events.
	evCtx, stopEvents := context.WithCancel(context.WithoutCancel(ctx))
	defer stopEvents()
	var recorder errgroup.Group
	recorder.Go(func() error { return events.Run(evCtx) })
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return con.Read(gctx, msgs) })
	g.Go(func() error { return rt.Run(gctx, msgs) })
	err = g.Wait()
	stopEvents()
	_ = recorder.Wait()
	cancel()
	_ = reloaders.Wait()
	return err
}

// startReloaders keeps each channel's FAQ in step with its files, and runs
// the loops of the channels' help desks (SLA reminders, the spool).
func startReloaders(ctx context.Context, g *errgroup.Group, cfg *Config, chs []*channel, a *app) {
	startEscalation(ctx, g, chs)
	if cfg.Answer.ReloadInterval <= 0 {
		return
	}
	log := a.logger(cfg.Bot.LogLevel)
	for _, ch := range chs {
		g.Go(func() error { return runReloader(ctx, ch, cfg.Answer.ReloadInterval, log.With("channel", ch.name)) })
	}
}

// isTerminal reports whether r is an interactive terminal. A character
// device is not enough: /dev/null is one too.
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
