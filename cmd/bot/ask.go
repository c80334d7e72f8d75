package main

import (
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
			res.Explain(a.stdout, ch.Name(), text)
			return nil
		},
	}
	cmd.Flags().StringVar(&channelName, "channel", "", "channel to ask in (default: the first configured)")
	return cmd
}
