// ECharts as the page's charts use it (charts.js loads this on the side): the core, tree-shaken
// to the chart types and components drawn there, on the canvas renderer. Continuous visual maps
// only (the heatmaps' colour scales; no piecewise ones) and plain legends (never the scrolling
// kind).

import { use, init } from 'echarts/core';
import { BarChart, PieChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapContinuousComponent, LegendPlainComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, PieChart, HeatmapChart, LineChart, GridComponent, TooltipComponent, VisualMapContinuousComponent, LegendPlainComponent, CanvasRenderer]);

export { init };
