package main

import (
	"fmt"
	"strings"
)

// check validates the config and every FAQ file and prints one line per
// channel. Problems go to stderr as file:line: field: problem, exit code 2.
func (a *app) check(configPath string) error {
	cfg, err := a.loadConfigFor(configPath)
	if err != nil {
		return err
	}
	chs, err := buildChannels(cfg, channelOptions{})
	if err != nil {
		return err
	}
	defer chs.Close()
	for i, ch := range chs.All() {
		s := cfg.Answer.Settings(cfg.Channels[i].Answer)
		fmt.Fprintf(a.stdout, "#%s: ok — %d FAQ entries from %s; min confidence en %.2f, zh %.2f; cooldown %s\n",
			ch.Name(), len(ch.Responder().Entries()), strings.Join(cfg.Channels[i].FAQ, ", "),
			s.Threshold("en"), s.Threshold("zh"), s.Cooldown)
	}
	return nil
}
