package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// askCommand is "bot ask": the streamer's tool for tuning the FAQ. It shows
// what the bot would do with one line of chat and why.
func (a *app) askCommand(configPath *string) *cobra.Command {
	var channelName string
	cmd := &cobra.Command{
		Use:   "ask [--channel C] \"text\"",
		Short: "Show what the bot would answer to a line of chat, with the top candidates",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfigFor(*configPath)
			if err != nil {
				return err
			}
			cc, err := cfg.pickChannel(channelName)
			if err != nil {
				return err
			}
			cfg.Channels = []ChannelConfig{cc}
			chs, err := buildChannels(cfg, channelOptions{})
			if err != nil {
				return err
			}
			defer chs.Close()
			ch := chs.All()[0]
			text := strings.Join(args, " ")
			res, err := ch.Responder().Lookup(text, 3)
			if err != nil {
				return err
			}
			w := a.stdout
			q := res.Question
			verdict := "not a question"
			if q.Is {
				verdict = "a question"
			}
			fmt.Fprintf(w, "#%s %q\n", ch.Name(), text)
			fmt.Fprintf(w, "  language: %s; %s (%s)\n", q.Lang, verdict, q.Why)
			switch {
			case !q.Is:
				fmt.Fprintf(w, "  decision: ignore — the bot only answers questions and requests\n")
			case res.Best != nil:
				fmt.Fprintf(w, "  decision: answer with %q (confidence %.2f ≥ %.2f)\n", res.Best.Entry.ID, res.Best.Confidence, res.Threshold)
				fmt.Fprintf(w, "  reply: %s\n", res.Best.Entry.AnswerIn(q.Lang))
			case len(res.Candidates) > 0:
				fmt.Fprintf(w, "  decision: no answer (best confidence %.2f < %.2f)\n", res.Candidates[0].Confidence, res.Threshold)
			default:
				fmt.Fprintf(w, "  decision: no answer (no entry shares a word with it)\n")
			}
			if len(res.Candidates) == 0 {
				return nil
			}
			fmt.Fprintf(w, "  candidates:\n")
			for i, c := range res.Candidates {
				fmt.Fprintf(w, "   %d. %-20s %.2f  terms [%s]  via %q (%s:%d)\n", i+1, c.Entry.ID, c.Confidence,
					strings.Join(c.Terms, " "), c.Example, c.Entry.File, c.Entry.Line)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&channelName, "channel", "", "channel to ask in (default: the first configured)")
	return cmd
}
