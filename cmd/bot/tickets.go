package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/report"
)

// ticketsCommand is "bot tickets": the queue for after-stream work, read
// from the same store the bot uses.
func (a *app) ticketsCommand(configPath *string) *cobra.Command {
	var channel, state, kind string
	cmd := &cobra.Command{
		Use:   "tickets",
		Short: "List, show and export tickets (list, show N, export)",
		Long: "Reads the ticket store the config names. With the embedded store the bot must not be\n" +
			"running (the file is locked while it runs); with Redis it may.",
		Args: cobra.NoArgs,
		// Runnable, so that "bot tickets frobnicate" is refused as an
		// unknown command instead of answered with the help.
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().StringVar(&channel, "channel", "", "only this channel (default: every configured channel)")
	cmd.PersistentFlags().StringVar(&kind, "kind", "", "only tickets of this kind: question, complaint, suggestion, faq-fix")
	cmd.PersistentFlags().StringVar(&state, "state", "", "only tickets in these states, comma separated: open, new, claimed, answered, resolved, dismissed")
	list := &cobra.Command{
		Use:   "list",
		Short: "List tickets, oldest first, with a summary per channel",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withTickets(cmd.Context(), *configPath, channel, state, kind, func(ts []report.ChannelTickets) error {
				return report.WriteTicketList(a.stdout, ts, time.Now())
			})
		},
	}
	show := &cobra.Command{
		Use:   "show N",
		Short: "Show one ticket in full: askers, context, answer, times",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64)
			if err != nil || n <= 0 {
				return badInput(fmt.Errorf("tickets show: want a ticket number, got %q", args[0]))
			}
			return a.showTicket(cmd.Context(), *configPath, channel, n)
		},
	}
	var format string
	export := &cobra.Command{
		Use:   "export [--format json|csv]",
		Short: "Export tickets with their response times, for a spreadsheet or a script",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "json" && format != "csv" {
				return badInput(fmt.Errorf("tickets export: --format is json or csv, got %q", format))
			}
			return a.withTickets(cmd.Context(), *configPath, channel, state, kind, func(ts []report.ChannelTickets) error {
				if format == "csv" {
					return report.WriteTicketsCSV(a.stdout, ts, time.Now())
				}
				return report.WriteTicketsJSON(a.stdout, ts, time.Now())
			})
		},
	}
	export.Flags().StringVar(&format, "format", "json", "json or csv")
	rec := &cobra.Command{
		Use:   "recover",
		Short: "Copy every readable ticket of a damaged store into a new file; the damaged one is kept beside it",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			cfg, err := a.loadConfigFor(*configPath)
			if err != nil || cfg.Store.Backend == "redis" {
				return cmp.Or(err, badInput(errors.New("tickets recover: the store is redis; recover is for the embedded store's file (a damaged spool recovers itself when the bot starts)")))
			}
			r, err := escalation.RecoverBolt(cfg.Store.Path, time.Now())
			if err == nil {
				_, err = fmt.Fprint(a.stdout, r.Report(cfg.Store.Path))
			}
			return err
		},
	}
	cmd.AddCommand(list, show, export, rec)
	return cmd
}

// openTicketStore opens the store read-only where it can: an export must
// not change the queue.
func (a *app) openTicketStore(ctx context.Context, cfg *Config) (escalation.Store, error) {
	if cfg.Store.Backend == "redis" {
		rc := cfg.Store.Redis
		client := escalation.NewRedisClient(rc.Address())
		s := escalation.NewRedis(client, escalation.RedisOptions{Prefix: rc.KeyPrefix})
		if err := s.Ping(ctx); err != nil {
			client.Close()
			return nil, &exitErr{code: exitFailure, err: fmt.Errorf("ticket store: redis %s: %w", strings.Join(rc.Addrs, ","), err)}
		}
		return s, nil
	}
	path := cfg.Store.Path
	if !fileExists(path) {
		return nil, &exitErr{code: exitFailure, err: fmt.Errorf("no ticket store at %s yet (the bot creates it when it first runs)", path)}
	}
	s, err := escalation.OpenBolt(path, escalation.BoltOptions{ReadOnly: true, Advice: recoverAdvice})
	if err != nil {
		return nil, &exitErr{code: exitFailure, err: fmt.Errorf("ticket store: %w", err)}
	}
	return s, nil
}

// withTickets loads the tickets the flags select and hands them to do.
func (a *app) withTickets(ctx context.Context, configPath, channel, state, kind string, do func([]report.ChannelTickets) error) error {
	cfg, err := a.loadConfigFor(configPath)
	if err != nil {
		return err
	}
	f, err := escalation.ParseFilter(state)
	if err != nil {
		return badInput(fmt.Errorf("--state: %w", err))
	}
	k, err := escalation.ParseKind(kind)
	if err != nil {
		return badInput(fmt.Errorf("--kind: %w", err))
	}
	names, err := ticketChannels(cfg, channel)
	if err != nil {
		return err
	}
	s, err := a.openTicketStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	var out []report.ChannelTickets
	for _, name := range names {
		ts, err := s.List(ctx, name, f)
		if err != nil {
			return &exitErr{code: exitFailure, err: fmt.Errorf("tickets: %w", err)}
		}
		out = append(out, report.ChannelTickets{Channel: name, Promise: firstResponsePromise(cfg, name), Tickets: escalation.OfKind(ts, k)})
	}
	return do(out)
}

// ticketChannels are the channels --channel picks.
func ticketChannels(cfg *Config, channel string) ([]string, error) {
	if channel == "" {
		return cfg.channelNames(), nil
	}
	cc, err := cfg.pickChannel(channel)
	if err != nil {
		return nil, err
	}
	return []string{cc.Name}, nil
}

// firstResponsePromise is a channel's sla.first_response.
func firstResponsePromise(cfg *Config, channel string) time.Duration {
	cc, err := cfg.pickChannel(channel)
	if err != nil {
		return cfg.Escalation.SLA.FirstResponse
	}
	s, _ := cfg.Escalation.Settings(cc.Escalation)
	return s.FirstResponse
}

func (a *app) showTicket(ctx context.Context, configPath, channel string, n int64) error {
	cfg, err := a.loadConfigFor(configPath)
	if err != nil {
		return err
	}
	names, err := ticketChannels(cfg, channel)
	if err != nil {
		return err
	}
	if len(names) > 1 {
		return badInput(fmt.Errorf("tickets show: numbers are per channel; say which with --channel (configured: %s)", strings.Join(names, ", ")))
	}
	s, err := a.openTicketStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	t, err := s.Get(ctx, names[0], n)
	if errors.Is(err, escalation.ErrNotFound) {
		return &exitErr{code: exitFailure, err: fmt.Errorf("no ticket #%d in #%s", n, names[0])}
	}
	if err != nil {
		return &exitErr{code: exitFailure, err: fmt.Errorf("tickets: %w", err)}
	}
	report.WriteTicket(a.stdout, t, firstResponsePromise(cfg, names[0]), time.Now())
	return nil
}
