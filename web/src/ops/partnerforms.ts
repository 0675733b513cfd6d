// Operations → Partners, the writes: a nation's status change, a goal's progress (a milestone
// achieved, evidence attached) and an exercise, sent to the partners API for a user holding
// partners:write (the API refuses anyone else anyway). Problems, the page's own and the
// server's problem+json `errors`, are shown next to the field they name.
import { ApiError, sendJson } from "../api";
import { el } from "../dom";

export const WRITE_PERMISSION = "partners:write";

/** A goal the forms may record progress on, as the view last read it. */
export interface GoalChoice {
  nation: string;
  id: string;
  title: string;
  milestones: { number: number; title: string; achieved: string | null }[];
}

/** What the forms offer to choose from: the nations and goals the view shows. */
export interface Choices {
  nations: { code: string; name: string }[];
  goals: GoalChoice[];
}

const STATUSES: [string, string][] = [
  ["pfp", "Partnership for Peace"],
  ["map", "Membership Action Plan"],
  ["invited", "Invited to join"],
  ["member", "Member"],
];
const OUTCOMES: [string, string][] = [
  ["", "not assessed"],
  ["met", "met"],
  ["partly", "partly met"],
  ["not_met", "not met"],
];

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** A date input's day as the API's instant (midnight UTC), or null when empty. */
function dayTime(value: string): string | null {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : null;
}

function input(id: string, type = "text", attrs: Record<string, string> = {}): HTMLInputElement {
  return el("input", { id, name: id, type, ...attrs });
}

function select(id: string, options: [string, string][]): HTMLSelectElement {
  return el("select", { id, name: id }, ...options.map(([value, text]) => el("option", { value }, text)));
}

/**
 * One write form: labelled fields each with its error line (`<id>-error`), a message line and
 * a submit button; `send` does the writes and throws the API's error, whose field problems
 * `fieldOf` places.
 */
class WriteForm {
  readonly node: HTMLFormElement;
  private readonly fields = el("div", { class: "pw-fields" });
  private readonly controls = new Map<string, Control>();
  private readonly message: HTMLElement;
  private readonly submit: HTMLButtonElement;
  private busy = false;
  /** False once a page-side check failed: nothing is sent. */
  private checked = true;

  constructor(
    readonly id: string,
    title: string,
    private readonly fieldOf: (serverField: string) => string | null,
    private readonly send: () => Promise<string>,
    private readonly done: () => void,
  ) {
    this.message = el("p", { id: `${id}-message`, class: "form-message", role: "alert" });
    this.submit = el("button", { type: "submit", id: `${id}-submit` }, "Record");
    this.node = el("form", { id, class: "pw-write-form", novalidate: "" }, el("h4", {}, title), this.fields);
    this.node.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.run();
    });
  }

  /** Add a labelled field with its error line; `extra` controls share its row. */
  field(label: string, control: Control, ...extra: Control[]): Control {
    for (const c of [control, ...extra]) this.controls.set(c.id, c);
    control.setAttribute("aria-describedby", `${control.id}-error`);
    this.fields.append(
      el(
        "div",
        { class: "pw-field" },
        el("label", { for: control.id }, label),
        el("div", {}, control, ...extra.flatMap((c) => [" ", c]), el("p", { class: "field-error", id: `${control.id}-error`, "aria-live": "polite" })),
      ),
    );
    return control;
  }

  /** Close the form: `rows` after the fields, then the button and the message line. */
  finish(...rows: Node[]): this {
    this.node.append(...rows, el("div", { class: "pw-write-actions" }, this.submit, this.message));
    return this;
  }

  value(id: string): string {
    return this.controls.get(id)?.value.trim() ?? "";
  }

  control<T extends Control>(id: string): T {
    const control = this.controls.get(id);
    if (!control) throw new Error(`${this.id} has no field ${id}`);
    return control as T;
  }

  /** Show `message` next to field `id` (the form's message line when it has no such field). */
  error(id: string, message: string): void {
    const control = this.controls.get(id);
    if (!control) {
      this.say(message, "error");
      return;
    }
    const line = this.node.querySelector<HTMLElement>(`#${id}-error`);
    if (line) line.textContent = message;
    if (message) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
  }

  private say(text: string, kind: "error" | "notice"): void {
    this.message.textContent = text;
    this.message.className = `form-message ${kind}`;
  }

  private clearErrors(): void {
    for (const id of this.controls.keys()) this.error(id, "");
    this.say("", "notice");
  }

  /** A page-side check: when `ok` is false its message goes next to field `id`, nothing is sent. */
  require(id: string, ok: boolean, message: string): void {
    if (ok) return;
    this.error(id, message);
    this.checked = false;
  }

  /** Whether every page-side check so far passed. */
  get ok(): boolean {
    return this.checked;
  }

  /** Send (after the page's own checks), then clear the form and reload the view. */
  private async run(): Promise<void> {
    if (this.busy) return;
    this.clearErrors();
    this.busy = true;
    this.submit.disabled = true;
    try {
      this.checked = true;
      const note = await this.send();
      if (!this.checked) {
        this.node.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
        return;
      }
      this.node.reset();
      this.say(note, "notice");
      this.done();
    } catch (err) {
      this.show(err);
    } finally {
      this.busy = false;
      this.submit.disabled = false;
    }
  }

  /** The server's problem+json: each field problem next to its field, the rest below. */
  private show(err: unknown): void {
    const problems = err instanceof ApiError ? (err.problem?.errors ?? []) : [];
    const general: string[] = [];
    for (const p of problems) {
      const id = this.fieldOf(p.field ?? "");
      if (id && this.controls.has(id)) this.error(id, p.message ?? "invalid");
      else general.push([p.field, p.message].filter(Boolean).join(": "));
    }
    if (!problems.length || general.length) {
      const detail = err instanceof ApiError ? err.problem?.detail || err.message : String(err);
      this.say(general.length ? general.join("; ") : detail, "error");
    }
  }
}

/** The three forms, refilled with the view's nations and goals after each load. */
export class PartnerForms {
  readonly node: HTMLElement;
  private choices: Choices = { nations: [], goals: [] };
  private readonly nations: HTMLDataListElement;
  private readonly status: WriteForm;
  private readonly progress: WriteForm;
  private readonly exercise: WriteForm;
  private objectives = 0;

  /** `written` reloads the view after a write. */
  constructor(private readonly written: () => void) {
    this.nations = el("datalist", { id: "partners-nations" });
    this.status = this.statusForm();
    this.progress = this.progressForm();
    this.exercise = this.exerciseForm();
    this.node = el(
      "section",
      { id: "partners-writes", "aria-label": "Record" },
      el("h3", {}, "Record"),
      this.nations,
      el("div", { class: "pw-write-forms" }, this.status.node, this.progress.node, this.exercise.node),
    );
  }

  /** The view was (re)loaded: offer what it now shows, keeping what was chosen. */
  update(choices: Choices): void {
    this.choices = choices;
    this.nations.replaceChildren(...choices.nations.map((n) => el("option", { value: n.code }, n.name)));
    const goal = this.progress.control<HTMLSelectElement>("pg-goal");
    const chosen = goal.value;
    goal.replaceChildren(
      el("option", { value: "" }, "— choose a goal —"),
      ...choices.goals.map((g) => el("option", { value: `${g.nation}/${g.id}` }, `${g.nation}: ${g.title}`)),
    );
    goal.value = choices.goals.some((g) => `${g.nation}/${g.id}` === chosen) ? chosen : "";
    this.fillMilestones();
  }

  private chosenGoal(): GoalChoice | null {
    const value = this.progress.value("pg-goal");
    return this.choices.goals.find((g) => `${g.nation}/${g.id}` === value) ?? null;
  }

  private fillMilestones(): void {
    const goal = this.chosenGoal();
    const open = goal?.milestones.filter((m) => !m.achieved) ?? [];
    const none = goal && !goal.milestones.length ? "— none (its progress is a recorded percentage)" : "— none, evidence only";
    this.progress
      .control<HTMLSelectElement>("pg-milestone")
      .replaceChildren(el("option", { value: "" }, none), ...open.map((m) => el("option", { value: String(m.number) }, `${m.number}. ${m.title}`)));
  }

  private statusForm(): WriteForm {
    const form: WriteForm = new WriteForm(
      "partners-status-form",
      "Status change",
      (f) => ({ nation: "ps-nation", status: "ps-status", since: "ps-since", source: "ps-source", note: "ps-note" } as Record<string, string>)[f] ?? null,
      async (): Promise<string> => {
        const nation = form.value("ps-nation").toUpperCase();
        const since = dayTime(form.value("ps-since"));
        form.require("ps-nation", nation !== "", "a nation code is required");
        form.require("ps-since", since !== null, "give the date of the change");
        form.require("ps-source", form.value("ps-source") !== "", "a source is required");
        if (!form.ok) return "";
        const body = { status: form.value("ps-status"), since, source: form.value("ps-source"), note: form.value("ps-note") || null };
        await sendJson("POST", `/api/v1/partners/${encodeURIComponent(nation)}/status`, body);
        return `${nation}: ${form.value("ps-status")} since ${form.value("ps-since")} recorded.`;
      },
      this.written,
    );
    form.field("Nation", input("ps-nation", "text", { list: "partners-nations", maxlength: "3", autocomplete: "off", placeholder: "e.g. SRB" }));
    form.field("Status", select("ps-status", STATUSES));
    form.field("Since", input("ps-since", "date"));
    form.field("Source", input("ps-source", "text", { placeholder: "the document or statement" }));
    form.field("Note", input("ps-note"));
    return form.finish();
  }

  private progressForm(): WriteForm {
    const form: WriteForm = new WriteForm(
      "partners-progress-form",
      "Progress on a goal or reform",
      (f) => ({ achieved: "pg-date", dated: "pg-date", title: "pg-title", url: "pg-link", document: "pg-link" } as Record<string, string>)[f] ?? null,
      async (): Promise<string> => {
        const goal = this.chosenGoal();
        const milestone = form.value("pg-milestone");
        const date = dayTime(form.value("pg-date"));
        const evidence = form.value("pg-title") !== "" || form.value("pg-link") !== "";
        form.require("pg-goal", goal !== null, "choose a goal");
        form.require("pg-milestone", milestone !== "" || evidence, "choose a milestone achieved or give evidence");
        form.require("pg-date", date !== null, "give the date it was achieved or the evidence is dated");
        if (evidence) {
          form.require("pg-title", form.value("pg-title") !== "", "say what the evidence is");
          form.require("pg-link", form.value("pg-link") !== "", "give a link or a document reference");
        }
        if (!form.ok || !goal) return "";
        const path = `/api/v1/partners/${encodeURIComponent(goal.nation)}/goals/${encodeURIComponent(goal.id)}`;
        const done: string[] = [];
        if (milestone) {
          await sendJson("PATCH", `${path}/milestones/${milestone}`, { achieved: date });
          done.push(`milestone ${milestone} achieved`);
        }
        if (evidence) {
          const link = form.value("pg-link");
          const where = /^https?:\/\//i.test(link) ? { url: link } : { document: link };
          try {
            await sendJson("POST", `${path}/evidence`, { title: form.value("pg-title"), dated: date, ...where });
          } catch (err) {
            // The milestone went in before the evidence was refused: the view shows it.
            if (done.length) this.written();
            throw err;
          }
          done.push("evidence attached");
        }
        return `${goal.title}: ${done.join(", ")}.`;
      },
      this.written,
    );
    const goal = form.field("Goal", select("pg-goal", [["", "— choose a goal —"]]));
    goal.addEventListener("change", () => this.fillMilestones());
    form.field("Milestone achieved", select("pg-milestone", [["", "— none, evidence only"]]));
    form.field("Date", input("pg-date", "date"));
    form.field("Evidence", input("pg-title", "text", { placeholder: "what shows it, e.g. the law as passed" }));
    form.field("Link or document", input("pg-link", "text", { placeholder: "https://… or a document reference" }));
    form.node.addEventListener("reset", () => window.setTimeout(() => this.fillMilestones()));
    return form.finish();
  }

  private exerciseForm(): WriteForm {
    const form: WriteForm = new WriteForm(
      "partners-exercise-form",
      "Exercise",
      (f) => {
        const row = /^objectives\[(\d+)\]/.exec(f);
        if (row) return `px-objective-${row[1]}`;
        if (f.startsWith("participants")) return "px-participants";
        return ({ name: "px-name", place: "px-place", start: "px-start", end: "px-end" } as Record<string, string>)[f] ?? null;
      },
      async (): Promise<string> => {
        const start = dayTime(form.value("px-start"));
        const end = dayTime(form.value("px-end"));
        const participants = form.value("px-participants").toUpperCase().split(/[\s,;]+/).filter(Boolean);
        form.require("px-name", form.value("px-name") !== "", "a name is required");
        form.require("px-place", form.value("px-place") !== "", "a place is required");
        form.require("px-start", start !== null, "give the first day");
        form.require("px-end", end !== null, "give the last day");
        form.require("px-participants", participants.length > 0, "give the participating nations' codes");
        const objectives = [];
        for (let i = 0; i < this.objectives; i++) {
          const title = form.value(`px-objective-${i}`);
          const outcome = form.value(`px-outcome-${i}`);
          form.require(`px-objective-${i}`, title !== "" || outcome === "", "name the objective whose outcome this is");
          if (title) objectives.push({ title, outcome: outcome || null });
        }
        if (!form.ok) return "";
        const body = { name: form.value("px-name"), place: form.value("px-place"), start, end, participants, objectives };
        await sendJson("POST", "/api/v1/exercises", body);
        return `${form.value("px-name")} recorded.`;
      },
      this.written,
    );
    form.field("Name", input("px-name"));
    form.field("Place", input("px-place"));
    form.field("First day", input("px-start", "date"));
    form.field("Last day", input("px-end", "date"));
    form.field("Participants", input("px-participants", "text", { placeholder: "nation codes, e.g. ALB, MKD, USA" }));
    const objective = (): void => {
      const i = this.objectives++;
      const outcome = select(`px-outcome-${i}`, OUTCOMES);
      outcome.setAttribute("aria-label", `Objective ${i + 1}: outcome`);
      form.field(`Objective ${i + 1}`, input(`px-objective-${i}`), outcome);
    };
    const more = el("button", { type: "button", id: "px-more" }, "Another objective");
    more.addEventListener("click", objective);
    objective();
    return form.finish(el("div", { class: "pw-field" }, el("span"), el("div", {}, more)));
  }
}
