package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
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
	}
	cmd.PersistentFlags().StringVar(&channel, "channel", "", "only this channel (default: every configured channel)")
	cmd.PersistentFlags().StringVar(&kind, "kind", "", "only tickets of this kind: question, complaint, suggestion, faq-fix")
	cmd.PersistentFlags().StringVar(&state, "state", "", "only tickets in these states, comma separated: open, new, claimed, answered, resolved, dismissed")
	list := &cobra.Command{
		Use:   "list",
		Short: "List tickets, oldest first, with a summary per channel",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withTickets(cmd.Context(), *configPath, channel, state, kind, func(cfg *Config, ts []channelTickets) error {
				return writeTicketList(a.stdout, cfg, ts, time.Now())
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
			return a.withTickets(cmd.Context(), *configPath, channel, state, kind, func(cfg *Config, ts []channelTickets) error {
				if format == "csv" {
					return writeTicketCSV(a.stdout, cfg, ts)
				}
				return writeTicketJSON(a.stdout, cfg, ts)
			})
		},
	}
	export.Flags().StringVar(&format, "format", "json", "json or csv")
	for _, c := range []*cobra.Command{list, show, export} {
		c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
		inner := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := inner(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		}
		cmd.AddCommand(c)
	}
	return cmd
}

// channelTickets are one channel's tickets.
type channelTickets struct {
	channel string
	tickets []escalation.Ticket
}

// openTicketStore opens the store read-only where it can: an export must
// not change the queue.
func (a *app) openTicketStore(ctx context.Context, cfg *Config) (escalation.Store, error) {
	if cfg.Store.Backend == "redis" {
		rc := cfg.Store.Redis
		client := escalation.NewRedisClient(redisAddress(rc))
		s := escalation.NewRedis(client, escalation.RedisOptions{Prefix: rc.KeyPrefix})
		if err := s.Ping(ctx); err != nil {
			client.Close()
			return nil, &exitErr{code: exitFailure, err: fmt.Errorf("tickets: redis %s: %w", strings.Join(rc.Addrs, ","), err)}
		}
		return s, nil
	}
	path := cfg.Store.Path
	if !fileExists(path) {
		return nil, &exitErr{code: exitFailure, err: fmt.Errorf("tickets: no ticket store at %s yet (the bot creates it when it first runs)", path)}
	}
	s, err := escalation.OpenBolt(path, escalation.BoltOptions{ReadOnly: true})
	if err != nil {
		return nil, &exitErr{code: exitFailure, err: fmt.Errorf("tickets: %w", err)}
	}
	return s, nil
}

// parseStates reads --state.
func parseStates(s string) (escalation.Filter, error) {
	var f escalation.Filter
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(strings.ToLower(part))
		switch {
		case part == "":
		case part == "open":
			f.Open = true
		case escalation.State(part).Valid():
			f.States = append(f.States, escalation.State(part))
		default:
			return f, fmt.Errorf("--state: unknown state %q (want open, new, claimed, answered, resolved or dismissed)", part)
		}
	}
	return f, nil
}

// withTickets loads the tickets the flags select and hands them to do.
func (a *app) withTickets(ctx context.Context, configPath, channel, state, kind string, do func(*Config, []channelTickets) error) error {
	cfg, err := a.loadConfigFor(configPath)
	if err != nil {
		return err
	}
	f, err := parseStates(state)
	if err != nil {
		return badInput(err)
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
	var out []channelTickets
	for _, name := range names {
		ts, err := s.List(ctx, name, f)
		if err != nil {
			return &exitErr{code: exitFailure, err: fmt.Errorf("tickets: %w", err)}
		}
		out = append(out, channelTickets{channel: name, tickets: escalation.OfKind(ts, k)})
	}
	return do(cfg, out)
}

// ticketChannels are the channels --channel picks.
func ticketChannels(cfg *Config, channel string) ([]string, error) {
	var names []string
	for _, cc := range cfg.Channels {
		names = append(names, cc.Name)
	}
	if channel == "" {
		return names, nil
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
	s, _ := deskSettings(cfg, cc)
	return s.FirstResponse
}

func writeTicketList(w io.Writer, cfg *Config, chs []channelTickets, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, ch := range chs {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		promise := firstResponsePromise(cfg, ch.channel)
		fmt.Fprintf(tw, "#%s: %s\n", ch.channel, summary(ch.tickets, promise, now))
		if len(ch.tickets) == 0 {
			continue
		}
		fmt.Fprintln(tw, "TICKET\tKIND\tSTATE\tAGE\tASKERS\tFIRST RESPONSE\tTEXT")
		for _, t := range ch.tickets {
			m := escalation.TimesOf(t, promise, now)
			fr := "-"
			if m.Answered {
				fr = chat.FormatDuration(m.FirstResponse, 2)
			}
			if m.Breached {
				fr += " (late)"
			}
			state := string(t.State)
			if t.ClaimedBy != "" && t.State.Open() {
				state += " (" + t.ClaimedBy + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", t.Ref(), t.Kind, state, chat.FormatDuration(now.Sub(t.CreatedAt), 2),
				max(t.AskerCount, len(t.Askers)), fr, oneLine(t.Text, 60))
		}
	}
	return tw.Flush()
}

// summary is a channel's helpdesk numbers in one line: escalation.Measure,
// the numbers the stream report shows too.
func summary(ts []escalation.Ticket, promise time.Duration, now time.Time) string {
	if len(ts) == 0 {
		return "no tickets"
	}
	m := escalation.Measure(ts, promise, now)
	noun := "tickets"
	if m.Tickets == 1 {
		noun = "ticket"
	}
	parts := []string{fmt.Sprintf("%d %s, %d open, %d resolved", m.Tickets, noun, m.Open, m.Resolved)}
	if m.FirstResponse.N > 0 {
		parts = append(parts, "first response median "+chat.FormatDuration(m.FirstResponse.Median, 2))
	}
	if m.Resolution.N > 0 {
		parts = append(parts, "resolved in median "+chat.FormatDuration(m.Resolution.Median, 2))
	}
	parts = append(parts, fmt.Sprintf("%d reopened", m.Reopened))
	if promise > 0 {
		parts = append(parts, fmt.Sprintf("%d past the %s promise", m.Breaches, chat.FormatDuration(promise, 4)))
	}
	return strings.Join(parts, "; ")
}

// oneLine fits text on one line of n runes.
func oneLine(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return text
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
	writeTicket(a.stdout, t, firstResponsePromise(cfg, names[0]), time.Now())
	return nil
}

func writeTicket(w io.Writer, t escalation.Ticket, promise time.Duration, now time.Time) {
	ts := func(x time.Time) string {
		if x.IsZero() {
			return "-"
		}
		return x.Local().Format("2006-01-02 15:04:05")
	}
	m := escalation.TimesOf(t, promise, now)
	fmt.Fprintf(w, "ticket %s in #%s — %s, %s (filed by %s)\n", t.Ref(), t.Channel, t.Kind, t.State, t.Source)
	fmt.Fprintf(w, "  text:      %s\n", t.Text)
	fmt.Fprintf(w, "  filed:     %s\n", ts(t.CreatedAt))
	if t.ClaimedBy != "" {
		fmt.Fprintf(w, "  claimed:   %s by %s", ts(t.ClaimedAt), t.ClaimedBy)
		if t.State == escalation.StateClaimed {
			fmt.Fprintf(w, " (lease until %s)", ts(t.LeaseUntil))
		}
		fmt.Fprintln(w)
	}
	if t.Answer != "" {
		fmt.Fprintf(w, "  answered:  %s by %s: %s\n", ts(t.AnsweredAt), t.AnsweredBy, t.Answer)
		late := ""
		if m.Breached {
			late = fmt.Sprintf(" — later than the %s promise", chat.FormatDuration(promise, 4))
		}
		fmt.Fprintf(w, "  first response after %s%s\n", chat.FormatDuration(m.FirstResponse, 2), late)
	} else if m.Breached && t.State.Open() {
		fmt.Fprintf(w, "  waiting %s — past the %s promise\n", chat.FormatDuration(now.Sub(t.CreatedAt), 2), chat.FormatDuration(promise, 4))
	} else if m.Breached {
		fmt.Fprintf(w, "  closed unanswered after %s — past the %s promise\n", chat.FormatDuration(t.ClosedAt.Sub(t.CreatedAt), 2), chat.FormatDuration(promise, 4))
	}
	if !t.ClosedAt.IsZero() {
		fmt.Fprintf(w, "  closed:    %s by %s", ts(t.ClosedAt), t.ClosedBy)
		if t.Reason != "" {
			fmt.Fprintf(w, " (%s)", t.Reason)
		}
		fmt.Fprintln(w)
	}
	if t.Reopens > 0 {
		fmt.Fprintf(w, "  reopened:  %d times\n", t.Reopens)
	}
	fmt.Fprintf(w, "  askers (%d):\n", max(t.AskerCount, len(t.Askers)))
	for _, as := range t.Askers {
		status := "waiting for the answer"
		switch {
		case !as.DeliveredAt.IsZero():
			status = "answer delivered " + ts(as.DeliveredAt)
		case !as.ExpiredAt.IsZero():
			status = "never came back; gave up " + ts(as.ExpiredAt)
		case t.Answer == "":
			status = "no answer yet"
		}
		fmt.Fprintf(w, "    %-20s %s  %q  (%s)\n", as.Name(), ts(as.At), as.Text, status)
	}
	if len(t.Context) > 0 {
		fmt.Fprintf(w, "  said before:\n")
		for _, l := range t.Context {
			fmt.Fprintf(w, "    %s  %s\n", ts(l.At), l.Text)
		}
	}
}

// exportedTicket is a ticket with its measures, as export writes it.
type exportedTicket struct {
	escalation.Ticket
	FirstResponseSeconds *float64 `json:"first_response_seconds"`
	ResolveSeconds       *float64 `json:"resolve_seconds"`
	SLABreached          bool     `json:"sla_breached"`
}

func exported(cfg *Config, chs []channelTickets, now time.Time) []exportedTicket {
	out := []exportedTicket{}
	for _, ch := range chs {
		promise := firstResponsePromise(cfg, ch.channel)
		for _, t := range ch.tickets {
			m := escalation.TimesOf(t, promise, now)
			e := exportedTicket{Ticket: t, SLABreached: m.Breached}
			if m.Answered {
				s := m.FirstResponse.Seconds()
				e.FirstResponseSeconds = &s
			}
			if m.Resolved {
				s := m.Resolution.Seconds()
				e.ResolveSeconds = &s
			}
			out = append(out, e)
		}
	}
	return out
}

func writeTicketJSON(w io.Writer, cfg *Config, chs []channelTickets) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(exported(cfg, chs, time.Now()))
}

// csvColumns are the export's columns, one ticket a row.
var csvColumns = []string{
	"channel", "number", "kind", "source", "state", "text", "askers", "asker_count",
	"created_at", "claimed_by", "first_response_at", "first_response_seconds", "answered_by", "answer",
	"closed_at", "closed_by", "resolve_seconds", "reason", "reopens", "sla_breached",
}

func writeTicketCSV(w io.Writer, cfg *Config, chs []channelTickets) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return err
	}
	tm := func(x time.Time) string {
		if x.IsZero() {
			return ""
		}
		return x.UTC().Format(time.RFC3339)
	}
	secs := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 0, 64)
	}
	for _, e := range exported(cfg, chs, time.Now()) {
		var askers []string
		for _, a := range e.Askers {
			askers = append(askers, a.User)
		}
		row := []string{
			e.Channel, strconv.FormatInt(e.Number, 10), string(e.Kind), string(e.Source), string(e.State), e.Text,
			strings.Join(askers, " "), strconv.Itoa(max(e.AskerCount, len(e.Askers))),
			tm(e.CreatedAt), e.ClaimedBy, tm(e.FirstResponseAt), secs(e.FirstResponseSeconds), e.AnsweredBy, e.Answer,
			tm(e.ClosedAt), e.ClosedBy, secs(e.ResolveSeconds), e.Reason, strconv.Itoa(e.Reopens), strconv.FormatBool(e.SLABreached),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
