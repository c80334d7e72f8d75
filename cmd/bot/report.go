package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/report"
)

// reportCommand is "bot report": the stream report from what the live bot
// recorded in the store.
func (a *app) reportCommand(configPath *string) *cobra.Command {
	var channel, format string
	var since time.Duration
	cmd := &cobra.Command{
		Use:   "report [--channel C] [--since 24h] [--format md|html]",
		Short: "The stream report: questions, what to add to the FAQ, tickets, satisfaction, moderation",
		Long: "Reads the event log and the tickets the live bot keeps in the store and prints the report\n" +
			"on stdout: Markdown, or one self-contained HTML page with charts (--format html > report.html).\n" +
			"With the embedded store the bot must not be running; with Redis it may.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "md" && format != "html" {
				return badInput(fmt.Errorf("report: --format is md or html, got %q", format))
			}
			if since <= 0 {
				return badInput(fmt.Errorf("report: --since must be positive, got %s", since))
			}
			cfg, err := a.loadConfigFor(*configPath)
			if err != nil {
				return err
			}
			cc, err := cfg.pickChannel(channel)
			if err != nil {
				return err
			}
			channel = cc.Name
			ctx := cmd.Context()
			s, err := a.openTicketStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer s.Close()
			to := time.Now().UTC()
			from := to.Add(-since)
			events, err := s.Events(ctx, channel, from)
			if err != nil {
				return &exitErr{code: exitFailure, err: fmt.Errorf("report: %w", err)}
			}
			tickets, err := s.List(ctx, channel, escalation.Filter{})
			if err != nil {
				return &exitErr{code: exitFailure, err: fmt.Errorf("report: %w", err)}
			}
			r := report.Build(report.Options{
				Channel: channel, From: from, To: to, FirstResponse: firstResponsePromise(cfg, channel),
				Names: []string{cfg.Bot.Name, channel},
			}, events, tickets)
			if format == "html" {
				return report.HTML(a.stdout, r)
			}
			return report.Markdown(a.stdout, r)
		},
	}
	cmd.Flags().StringVar(&channel, "channel", "", "the channel to report on (default: the first configured)")
	cmd.Flags().DurationVar(&since, "since", 24*time.Hour, "how far back to look")
	cmd.Flags().StringVar(&format, "format", "md", "md or html")
	return cmd
}
