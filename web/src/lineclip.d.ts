// lineclip 2 ships no type declarations.
declare module "lineclip" {
  type BBox = [number, number, number, number];
  export function clipPolyline(points: number[][], bbox: BBox, result?: number[][][]): number[][][];
  export function clipPolygon(points: number[][], bbox: BBox): number[][];
}
