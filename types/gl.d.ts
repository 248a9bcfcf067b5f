/** @noSelfInFile */

/**
 * The subset of Recoil's OpenGL bindings used to draw the status line. Only valid
 * inside draw call-ins such as `DrawScreen`. Recoil: rts/Lua/LuaOpenGL.cpp, rts/Lua/LuaFonts.cpp.
 */
declare namespace gl {
  /**
   * Draws text with the engine's default font. `options` letters: `c` centre, `r`
   * right-align, `o`/`O` outline, `s` shadow, `v`/`t`/`b`/`d` vertical alignment.
   * Inline colour codes `"\xff" + r + g + b` (three bytes 1-255) change the colour mid-text.
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaOpenGL.cpp
   */
  function Text(text: string, x: number, y: number, size?: number, options?: string): void;
}
