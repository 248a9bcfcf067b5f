/**
 * The widget's settings in BAR's options window, generated from the settings table so
 * that the commands, the saved config and the menu never disagree. Pure: it builds the
 * entries as plain data and reads the window's values back; main.ts hands them to
 * `WG['options']` with an `onchange` for each.
 *
 * The window's entries, as BAR's widgets use `WG['options'].addOptions` (public BAR
 * widgets read for this, e.g. beyond-all-reason/Beyond-All-Reason luaui/Widgets): `id`,
 * `widgetname`, `name`, `description`, `type` ("bool" | "slider" | "select"), `value`,
 * `min`/`max`/`step` for a slider, `options` (the labels) for a select, whose value is
 * the 1-based index of the chosen label; `onchange(i, value, force)` is called with the
 * new value.
 */
import { capitalize } from "./format";
import { Config, findSetting, MenuForm, SETTING_LIST, SettingKey, SomeSetting } from "./settings";

/** Every entry's id starts with this, then the setting's key. */
export const MENU_ID_PREFIX = "livedata_";
/** The heading the window groups the entries under. */
export const MENU_WIDGET_NAME = "Live Data Export";

/** An entry of the window as types/widget.d.ts declares it, before main.ts adds `onchange`. */
export type MenuOption = Omit<BarOption, "onchange">;

/** The setting an id names (`livedata_port` → `port`), or undefined. */
export function settingOfMenuId(id: string): SettingKey | undefined {
  if (string.sub(id, 1, MENU_ID_PREFIX.length) !== MENU_ID_PREFIX) return undefined;
  return findSetting(string.sub(id, MENU_ID_PREFIX.length + 1))?.key;
}

function formOf(entry: SomeSetting): MenuForm {
  if (entry.menu !== undefined) return entry.menu;
  // On/off is a checkbox, text and names a list; a number needs its form declared.
  return entry.kind.luaType === "number" ? false : { presets: [] };
}

/**
 * `raw` rounded to a multiple of `step`, without float noise: with a step of 0.1, 7 x 0.1
 * is 0.7000000000000001, 7 / 10 is the number nearest 0.7, as typed.
 */
function onStep(raw: number, step: number): number {
  const steps = math.floor(raw / step + 0.5);
  const perUnit = math.floor(1 / step + 0.5);
  if (step < 1 && math.abs(perUnit * step - 1) < 1e-9) return steps / perUnit;
  return steps * step;
}

/** The entries and what each select's indices stand for, built from one config. */
export class OptionsMenu {
  /** Per select: the setting values its labels stand for, in order. */
  private choices = new LuaMap<SettingKey, unknown[]>();
  /** Per entry: the value the window shows (as the window holds it). */
  private shown = new LuaMap<SettingKey, unknown>();

  /** The entries for `config`, in the settings' order (without `onchange`). */
  build(config: Config): MenuOption[] {
    this.choices = new LuaMap();
    this.shown = new LuaMap();
    const out: MenuOption[] = [];
    for (const entry of SETTING_LIST) {
      const option = this.entryFor(entry, config);
      if (option !== undefined) {
        out.push(option);
        this.shown.set(entry.key, option.value);
      }
    }
    return out;
  }

  private entryFor(entry: SomeSetting, config: Config): MenuOption | undefined {
    const form = formOf(entry);
    if (form === false) return undefined;
    const value = (config as unknown as Record<string, unknown>)[entry.key];
    const option: MenuOption = {
      id: MENU_ID_PREFIX + entry.key,
      widgetname: MENU_WIDGET_NAME,
      name:
        capitalize(entry.label) + (entry.kind.unit !== undefined ? ` (${entry.kind.unit})` : ""),
      description: `${capitalize(entry.command?.summary ?? entry.label)} (${entry.kind.range}; /livedata set ${entry.key} reaches every value).`,
      type: "bool",
      value: value === true,
    };
    if (entry.kind.luaType === "boolean") return option;
    if ("slider" in form) {
      option.type = "slider";
      // A value set by command beyond the slider's range widens it: the slider must not
      // show (and, once touched, replace) a value other than the one in force.
      option.min = math.min(form.slider.min, value as number);
      option.max = math.max(form.slider.max, value as number);
      option.step = form.slider.step;
      option.value = value as number;
      return option;
    }
    // A select: the kind's names, or the current value, the default and the presets.
    const values: unknown[] = [];
    const candidates = entry.kind.names ?? [value, entry.default, ...form.presets];
    for (const candidate of candidates) {
      if (!values.includes(candidate)) values.push(candidate);
    }
    this.choices.set(entry.key, values);
    option.type = "select";
    option.options = values.map((v) => entry.kind.format(v));
    option.value = values.indexOf(value) + 1;
    return option;
  }

  /**
   * The setting value for what the window handed `onchange` for `key`: a bool, a
   * slider's number (rounded to its step), a select's index. The value is checked by
   * the caller as any change is; here only its form: `[value]` or `[undefined, why]`.
   */
  read(key: SettingKey, raw: unknown): LuaMultiReturn<[unknown, string?]> {
    const entry = findSetting(key)!;
    const shown = this.shown.get(key);
    if (shown === undefined) return $multi(undefined, "not in the options window");
    // nil would take the entry out of `shown` (and out of `ids`, for removeOptions).
    if (raw === undefined) return $multi(undefined, "no value");
    const list = this.choices.get(key);
    if (list !== undefined) {
      const chosen = typeof raw === "number" ? list[raw - 1] : undefined;
      // What the window shows now, valid or not: `stale` then tells it is not in force.
      this.shown.set(key, raw);
      if (chosen === undefined) return $multi(undefined, `no choice ${tostring(raw)}`);
      return $multi(chosen);
    }
    const isBool = typeof shown === "boolean";
    this.shown.set(key, raw);
    if (isBool) {
      if (typeof raw !== "boolean") return $multi(undefined, `${tostring(raw)} is not on or off`);
      return $multi(raw);
    }
    if (typeof raw !== "number" || raw !== raw) {
      return $multi(undefined, `${tostring(raw)} is not a number`);
    }
    const form = entry.menu as { slider: { step: number } };
    return $multi(onStep(raw, form.slider.step));
  }

  /**
   * Whether the window shows something other than `config` (a command, another widget
   * or a detail level changed a setting): then main.ts registers the entries again.
   */
  stale(config: Config): boolean {
    for (const [key, shown] of this.shown) {
      const value = (config as unknown as Record<string, unknown>)[key];
      const list = this.choices.get(key);
      if (list !== undefined) {
        if (typeof shown !== "number" || list[shown - 1] !== value) return true;
      } else if (typeof shown === "number") {
        if (math.abs(shown - (value as number)) > 1e-6 * math.max(1, math.abs(shown))) return true;
      } else if (shown !== value) {
        return true;
      }
    }
    return false;
  }

  /** The ids registered by the last `build`, for `removeOptions`. */
  ids(): string[] {
    const out: string[] = [];
    for (const entry of SETTING_LIST) {
      if (this.shown.has(entry.key)) out.push(MENU_ID_PREFIX + entry.key);
    }
    return out;
  }
}
