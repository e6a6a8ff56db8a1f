package main

import (
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/report"
)

// eveFlags choose what `analyze --format eve` writes besides alerts, as
// Suricata's eve-log settings do; each is the config key of the same
// name in the eve section (ipsreplay config), which they override.
func eveFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "eve-types", Usage: "EVE record types to write, `LIST` of alert, flow and stats (Suricata's eve-log types): " +
			"flow adds a record per TCP and UDP flow as it ends, stats one at the end (default alert; eve.types)"},
		&cli.BoolFlag{Name: "community-id", Usage: "add the Community ID flow hash (community_id) to EVE alert and flow records, as Suricata's community-id: yes (eve.community_id)"},
		&cli.IntFlag{Name: "community-id-seed", Usage: "seed `N` (0-65535) of the Community ID hash, as Suricata's community-id-seed (default 0; eve.community_id_seed)"},
	}
}

// eveSets turns the EVE flags given into --set assignments, which the
// config file's keys give way to; a bad value is a usage error naming
// the flag.
func eveSets(c *cli.Context) ([]string, error) {
	var sets []string
	check := analyzer.DefaultEVEConfig()
	if c.IsSet("eve-types") {
		check.Types = c.String("eve-types")
		if err := check.Validate(); err != nil {
			return nil, usagef("--eve-types: %v", err)
		}
		sets = append(sets, "eve.types="+c.String("eve-types"))
	}
	if c.IsSet("community-id") {
		sets = append(sets, "eve.community_id="+strconv.FormatBool(c.Bool("community-id")))
	}
	if c.IsSet("community-id-seed") {
		check.CommunityIDSeed = c.Int("community-id-seed")
		if err := check.Validate(); err != nil {
			return nil, usagef("--community-id-seed: %v", err)
		}
		sets = append(sets, "eve.community_id_seed="+strconv.Itoa(c.Int("community-id-seed")))
	}
	return sets, nil
}

// eveOptions are the EVE writer's options for the eve config section.
func eveOptions(c analyzer.EVEConfig) report.EVEOptions {
	return report.EVEOptions{
		NoAlerts: !c.Has("alert"), Flows: c.Has("flow"), Stats: c.Has("stats"),
		CommunityID: c.CommunityID, CommunityIDSeed: uint16(c.CommunityIDSeed),
	}
}
