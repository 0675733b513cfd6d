// Operations → Partners: each partner nation's road to membership (PfP → MAP → invited →
// member) on one time axis, goals with progress bars and behind-schedule flags, exercises with
// their outcomes per objective, and multinational units with their contributing nations.
// Everything comes from /api/v1/partners, /exercises and /multinational-units, as filtered for
// the signed-in user; each record shows its own label. A user holding partners:write also gets
// the forms of ./partnerforms, and the view reloads after each write.
import "./partners.css";
import { getJson, isoTime } from "../api";
import { el } from "../dom";
import { dayLabel } from "../dtg";
import { markingClass } from "../marking";
import { PartnerForms, WRITE_PERMISSION } from "./partnerforms";
import { OpsView, register } from "./registry";

interface Step {
  status: string;
  name: string;
  since: string;
  source: string;
  synthetic: boolean;
  note: string | null;
  label: string;
}

interface Goal {
  id: string;
  nation: string;
  title: string;
  area: string | null;
  synthetic: boolean;
  source: string | null;
  progress: {
    percent: number;
    expected_percent: number | null;
    achieved: number;
    total: number;
    overdue: number[];
    behind_schedule: boolean;
    method: string;
  };
  milestones: { number: number; title: string; planned: string; achieved: string | null; overdue: boolean; label: string }[];
  evidence: { title: string; url: string | null; document: string | null; dated: string; recorded_by: string; label: string }[];
  label: string;
}

interface Partner {
  nation: string;
  name: string;
  status: string | null;
  status_name: string | null;
  status_since: string | null;
  timeline: Step[];
  goals: Goal[];
  label: string;
}

interface Exercise {
  id: string;
  name: string;
  place: string;
  start: string;
  end: string;
  participants: string[];
  synthetic: boolean;
  objectives: { number: number; title: string; outcome: string | null; notes: string | null; label: string }[];
  interoperability: { met: number; partly: number; not_met: number; not_assessed: number; score: number | null };
  label: string;
}

interface MultinationalUnit {
  id: string;
  name: string;
  kind: string;
  hq: string | null;
  formed: string | null;
  source: string | null;
  contributions: { nation: string; role: string | null; from: string; to: string | null; source: string | null; label: string }[];
  contributors_at: string[];
  label: string;
}

interface Items<T> {
  items: T[];
  label?: string;
}

const OUTCOME_TEXT: Record<string, string> = { met: "met", partly: "partly met", not_met: "not met" };
const STATUS_SHORT: Record<string, string> = { pfp: "PfP", map: "MAP", invited: "Invited", member: "Member" };

const day = (iso: string | null): string => (iso ? dayLabel(iso.slice(0, 10)) : "—");

function labelTag(marking: string): HTMLElement {
  return el("span", { class: `${markingClass(marking)} pw-label` }, marking);
}

class PartnersView extends OpsView {
  private asOf: "today" | "map" = "today";
  /** Built on the first load that finds the user may write; never for anyone else. */
  private forms: PartnerForms | null = null;

  constructor() {
    super("partners", "Partners");
  }

  protected sections(): Node[] {
    const select = el(
      "select",
      { id: "partners-at", "aria-label": "Status and progress as of" },
      el("option", { value: "today" }, "as of today"),
      el("option", { value: "map" }, "as of the map's time"),
    );
    select.addEventListener("change", () => {
      this.asOf = select.value === "map" ? "map" : "today";
      this.refresh();
    });
    return [
      el("div", { class: "pw-partners-bar" }, select, el("span", { id: "partners-message", role: "status" })),
      el("section", { id: "partners-timeline", "aria-label": "Road to membership" }),
      el("section", { id: "partners-goals", "aria-label": "Goals and reforms" }),
      el("section", { id: "partners-exercises", "aria-label": "Exercises" }),
      el("section", { id: "partners-units", "aria-label": "Multinational units" }),
    ];
  }

  private at(): Date | null {
    const span = this.context().span;
    return this.asOf === "map" && span ? new Date(span.end.getTime() - 1) : null;
  }

  protected async load(root: HTMLElement, gen: number, signal: AbortSignal): Promise<void> {
    const at = this.at();
    const query = at ? `?${new URLSearchParams({ at: isoTime(at) })}` : "";
    const [partners, exercises, units] = await Promise.all([
      getJson<Items<Partner>>(`/api/v1/partners${query}`, signal),
      getJson<Items<Exercise>>("/api/v1/exercises", signal),
      getJson<Items<MultinationalUnit>>(`/api/v1/multinational-units${query}`, signal),
    ]);
    if (!this.latest.current(gen)) return;
    this.labels = [partners, exercises, units].flatMap((b) => b.items.map((i) => i.label));
    this.drawTimeline(partners.items, at ?? new Date());
    this.drawGoals(partners.items);
    this.drawExercises(exercises.items);
    this.drawUnits(units.items);
    this.drawForms(root, partners.items);
    this.message(at ? `Status and progress at ${day(isoTime(at))}` : "");
    root.dataset.query = query;
    root.dataset.ready = "true";
  }

  /** The write forms, for a user who may write, offering the nations and goals just read. */
  private drawForms(root: HTMLElement, partners: Partner[]): void {
    if (!(this.context().user?.permissions.includes(WRITE_PERMISSION) ?? false)) {
      this.forms?.node.remove();
      this.forms = null;
      return;
    }
    if (!this.forms) {
      this.forms = new PartnerForms(() => this.refresh());
      root.append(this.forms.node);
    }
    this.forms.update({
      nations: partners.map((p) => ({ code: p.nation, name: p.name })),
      goals: partners.flatMap((p) =>
        p.goals.map((g) => ({ nation: p.nation, id: g.id, title: g.title, milestones: g.milestones.map((m) => ({ number: m.number, title: m.title, achieved: m.achieved })) })),
      ),
    });
  }

  private section(id: string, title: string, ...body: (Node | string)[]): void {
    const node = this.root?.querySelector<HTMLElement>(`#${id}`);
    node?.replaceChildren(el("h3", {}, title), ...body);
  }

  private drawTimeline(partners: Partner[], at: Date): void {
    const times = partners.flatMap((p) => p.timeline.map((s) => new Date(s.since).getTime()));
    const first = times.length ? new Date(Math.min(...times)).getUTCFullYear() - 1 : at.getUTCFullYear() - 1;
    const start = Date.UTC(first, 0, 1);
    const end = Math.max(at.getTime(), ...times) + 365 * 86400_000;
    const pos = (t: number): string => `${(100 * (t - start)) / (end - start)}%`;
    const axis = el(
      "div",
      { class: "pw-axis", "aria-hidden": "true" },
      el("span", { style: "left:0" }, String(first)),
      el("span", { style: `left:${pos(at.getTime())}`, class: "pw-now" }, "▼"),
      el("span", { style: "right:0" }, String(new Date(end).getUTCFullYear())),
    );
    const rows = partners.map((p) => {
      const track = el("div", { class: "pw-track" });
      for (const s of p.timeline) {
        track.append(
          el(
            "span",
            {
              class: `pw-step pw-${s.status}`,
              style: `left:${pos(new Date(s.since).getTime())}`,
              "data-status": s.status,
              "data-since": s.since.slice(0, 10),
              title: `${s.name}, ${day(s.since)}${s.note ? ` (${s.note})` : ""} — source: ${s.source} — ${s.label}`,
            },
            STATUS_SHORT[s.status] ?? s.status,
          ),
        );
      }
      const status = p.status_name ? `${p.status_name} since ${day(p.status_since)}` : "no status yet";
      return el(
        "div",
        { class: "pw-nation", "data-nation": p.nation, "data-status": p.status ?? "" },
        el("div", { class: "pw-nation-name" }, el("strong", {}, p.name), el("small", {}, status)),
        track,
      );
    });
    const sources = el(
      "details",
      {},
      el("summary", {}, "Sources"),
      el(
        "ul",
        {},
        ...partners.flatMap((p) =>
          p.timeline.map((s) => el("li", {}, `${p.name}: ${s.name}, ${day(s.since)} — ${s.source}`, " ", labelTag(s.label))),
        ),
      ),
    );
    this.section(
      "partners-timeline",
      "Road to membership",
      ...(rows.length ? [axis, ...rows, sources] : [el("p", {}, "No partner nation is visible to you.")]),
    );
  }

  private drawGoals(partners: Partner[]): void {
    const goals = partners.flatMap((p) => p.goals.map((g) => ({ ...g, nationName: p.name })));
    const rows = goals.map((g) => {
      const p = g.progress;
      const bar = el(
        "div",
        {
          class: "pw-progress",
          role: "progressbar",
          "aria-valuemin": "0",
          "aria-valuemax": "100",
          "aria-valuenow": String(p.percent),
          "aria-label": `${g.title}: ${p.percent}%`,
        },
        el("span", { class: "pw-progress-done", style: `width:${p.percent}%` }),
        p.expected_percent !== null ? el("span", { class: "pw-progress-expected", style: `left:${p.expected_percent}%`, title: `expected by now: ${p.expected_percent}%` }) : null,
      );
      const steps = el(
        "ol",
        { class: "pw-milestones" },
        ...g.milestones.map((m) =>
          el(
            "li",
            { class: m.overdue ? "pw-overdue" : m.achieved ? "pw-done" : "" },
            `${m.title}: planned ${day(m.planned)}, ${m.achieved ? `achieved ${day(m.achieved)}` : "not achieved"}`,
          ),
        ),
        ...g.evidence.map((e) =>
          el(
            "li",
            { class: "pw-evidence" },
            "Evidence: ",
            e.url ? el("a", { href: e.url, rel: "noopener noreferrer", target: "_blank" }, e.title) : e.title,
            ` (${day(e.dated)}, recorded by ${e.recorded_by})`,
          ),
        ),
      );
      return el(
        "tr",
        { "data-goal": g.id, "data-percent": String(p.percent), "data-behind": String(p.behind_schedule) },
        el("td", {}, g.nationName),
        el("td", {}, g.title, g.synthetic ? el("span", { class: "pw-synthetic", title: g.source ?? "" }, " synthetic") : null, steps),
        el("td", {}, bar, `${p.percent}%${p.total ? ` (${p.achieved}/${p.total})` : ""}`),
        el("td", {}, p.behind_schedule ? el("span", { class: "pw-behind" }, "behind schedule") : "on schedule"),
        el("td", {}, labelTag(g.label)),
      );
    });
    this.section(
      "partners-goals",
      "Goals and reforms",
      rows.length
        ? el("table", {}, el("thead", {}, el("tr", {}, ...["Nation", "Goal", "Progress", "Schedule", "Label"].map((h) => el("th", {}, h)))), el("tbody", {}, ...rows))
        : el("p", {}, "No goal is visible to you."),
    );
  }

  private drawExercises(exercises: Exercise[]): void {
    const rows = exercises.map((x) => {
      const score = x.interoperability.score;
      return el(
        "tr",
        { "data-exercise": x.id, "data-score": score === null ? "" : String(score) },
        el("td", {}, x.name, x.synthetic ? el("span", { class: "pw-synthetic" }, " synthetic") : null),
        el("td", {}, `${day(x.start)} – ${day(x.end)}`, el("br"), x.place),
        el("td", {}, x.participants.join(", ")),
        el(
          "td",
          {},
          el(
            "ul",
            { class: "pw-objectives" },
            ...x.objectives.map((o) =>
              el(
                "li",
                { "data-outcome": o.outcome ?? "" },
                el("span", { class: `pw-outcome pw-${o.outcome ?? "none"}` }, o.outcome ? OUTCOME_TEXT[o.outcome] : "not assessed"),
                ` ${o.title}${o.notes ? ` — ${o.notes}` : ""}`,
              ),
            ),
          ),
        ),
        el("td", {}, score === null ? "—" : `${score}%`),
        el("td", {}, labelTag(x.label)),
      );
    });
    this.section(
      "partners-exercises",
      "Exercises",
      rows.length
        ? el("table", {}, el("thead", {}, el("tr", {}, ...["Exercise", "When, where", "Participants", "Objectives", "Interoperability", "Label"].map((h) => el("th", {}, h)))), el("tbody", {}, ...rows))
        : el("p", {}, "No exercise is visible to you."),
    );
  }

  private drawUnits(units: MultinationalUnit[]): void {
    const rows = units.map((u) =>
      el(
        "tr",
        { "data-unit": u.id, "data-contributors": u.contributors_at.join(",") },
        el("td", {}, u.name, el("br"), el("small", {}, [u.hq, u.formed ? `formed ${day(u.formed)}` : null].filter(Boolean).join(", "))),
        el(
          "td",
          {},
          u.contributions.length
            ? el(
                "ul",
                {},
                ...u.contributions.map((c) =>
                  el("li", { title: c.source ?? "" }, `${c.nation}${c.role ? ` (${c.role})` : ""}: ${day(c.from)} – ${c.to ? day(c.to) : "…"}`),
                ),
              )
            : el("em", {}, "no contributing nation on record"),
        ),
        el("td", {}, u.source ?? ""),
        el("td", {}, labelTag(u.label)),
      ),
    );
    this.section(
      "partners-units",
      "Multinational units",
      rows.length
        ? el("table", {}, el("thead", {}, el("tr", {}, ...["Unit", "Contributing nations", "Source", "Label"].map((h) => el("th", {}, h)))), el("tbody", {}, ...rows))
        : el("p", {}, "No multinational unit is visible to you."),
    );
  }

  clear(): void {
    this.forms = null;
    super.clear();
  }
}

register(new PartnersView());
