import '../shared/demo.css';
